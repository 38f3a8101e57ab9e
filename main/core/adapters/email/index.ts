export { CorrectionArgs, emailAdapter, emailCorrection, messageIdFor, SendArgs, uncertainSend, type EmailDeps } from './adapter';
export { allowResend, confirmOutboxSent, getOutboxEntry, listUncertainSends, type OutboxEntry, type OutboxEnvelope, type SendResult } from './outbox';
export { isLoopback, SmtpSettings } from './settings';
export { testConnection } from './smtp';
export { EmailSettingsStore } from './settings-store';
