export { SmtpSettings } from '../../../../shared/domain/email';

/** A server on this machine (a local relay or bridge): the only place credentials may go without TLS. */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h);
}
