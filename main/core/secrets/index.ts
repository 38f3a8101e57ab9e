export { KEY_FILE, keyFileCipher, SecretKeyError, type Cipher, type KeyFileOptions } from './cipher';
export { maskSecret, SecretError, SecretStore } from './store';
