// @ts-check
// Passkeys in the browser: the manager's WebAuthn options (JSON) in, the browser's answer (JSON)
// out, through the browser's own JSON helpers.
export const passkeysSupported = () => typeof window.PublicKeyCredential?.parseRequestOptionsFromJSON === 'function';

export async function conditionalAvailable() {
  return passkeysSupported() && (await PublicKeyCredential.isConditionalMediationAvailable?.()) === true;
}

/**
 * A new passkey for the manager's creation options; the browser's answer as JSON, or null
 * when none was made.
 * @param {PublicKeyCredentialCreationOptionsJSON} optionsJSON
 * @returns {Promise<PublicKeyCredentialJSON | null>}
 */
export async function createPasskey(optionsJSON) {
  const publicKey = PublicKeyCredential.parseCreationOptionsFromJSON(optionsJSON);
  const credential = /** @type {PublicKeyCredential | null} */ (await navigator.credentials.create({ publicKey }));
  return credential ? credential.toJSON() : null;
}

/**
 * `conditional`: offered among the ID field's autofill suggestions rather than in a dialog.
 * @param {PublicKeyCredentialRequestOptionsJSON} optionsJSON
 * @param {{ conditional?: boolean, signal?: AbortSignal }} [how]
 * @returns {Promise<PublicKeyCredentialJSON | null>}
 */
export async function getPasskey(optionsJSON, { conditional = false, signal } = {}) {
  const publicKey = PublicKeyCredential.parseRequestOptionsFromJSON(optionsJSON);
  const mediation = conditional ? 'conditional' : 'optional';
  const credential = /** @type {PublicKeyCredential | null} */ (await navigator.credentials.get({ publicKey, mediation, signal }));
  return credential ? credential.toJSON() : null;
}
