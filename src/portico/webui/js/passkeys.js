// Passkeys in the browser: the manager's WebAuthn options (JSON) in, the browser's answer (JSON)
// out, through the browser's own JSON helpers.
export const passkeysSupported = () => typeof window.PublicKeyCredential?.parseRequestOptionsFromJSON === 'function';

export async function conditionalAvailable() {
  return passkeysSupported() && (await PublicKeyCredential.isConditionalMediationAvailable?.()) === true;
}

export async function createPasskey(optionsJSON) {
  const publicKey = PublicKeyCredential.parseCreationOptionsFromJSON(optionsJSON);
  return (await navigator.credentials.create({ publicKey })).toJSON();
}

// `conditional`: offered among the ID field's autofill suggestions rather than in a dialog.
export async function getPasskey(optionsJSON, { conditional = false, signal } = {}) {
  const publicKey = PublicKeyCredential.parseRequestOptionsFromJSON(optionsJSON);
  const credential = await navigator.credentials.get({ publicKey, mediation: conditional ? 'conditional' : 'optional', signal });
  return credential ? credential.toJSON() : null;
}
