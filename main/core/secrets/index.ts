export { KEY_FILE, keyFileCipher, loadOrCreateSealedKey, sealedKeyCipher, SecretKeyError, WRAPPED_KEY_FILE, type Cipher, type KeyFileOptions, type KeyWrapper } from './cipher';
export { maskSecret, SecretError, SecretStore } from './store';
