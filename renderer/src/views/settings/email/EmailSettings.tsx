import { useKeel } from '../../../store/store';
import { useWhenConnected } from '../../../app/useWhenConnected';
import { SmtpForm } from './SmtpForm';
import { UncertainSends } from './UncertainSends';

/** Settings → E-mail: the SMTP account Keel sends through, and sends waiting for the operator's word. */
export function EmailSettings() {
  const refresh = useKeel((s) => s.refreshEmail);
  const loaded = useKeel((s) => s.emailLoaded);
  const error = useKeel((s) => s.emailError);
  const notice = useKeel((s) => s.emailNotice);
  useWhenConnected(refresh, [refresh]);
  return (
    <>
      <div className="notice-bar" role="status" data-testid="email-notice">
        {error ? <span className="error">{error}</span> : notice}
      </div>
      {loaded ? (
        <>
          <SmtpForm />
          <UncertainSends />
        </>
      ) : (
        <p className="meta">Loading…</p>
      )}
    </>
  );
}
