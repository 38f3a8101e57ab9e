export { imapHandlers } from './api';
export { clientOptions, describeImapError, ImapFailure, testImap } from './connection';
export { Intake, keyText, messageSource, type MessageKey } from './intake';
export { ImapService, type ImapServiceDeps } from './service';
export { ImapSettingsStore, passwordSecretFor } from './settings-store';
