// The server's password rules, checked live as the user types (the server checks again).
export function violations(password, policy, { email = '', username = '' } = {}) {
  const pw = password.normalize('NFKC');
  const found = [];
  const chars = [...pw];
  if (chars.length < policy.min_length) found.push('too_short');
  if (chars.length > policy.max_length) found.push('too_long');
  if (policy.require_letter_digit_special) {
    if (!/\p{L}/u.test(pw)) found.push('no_letter');
    if (!/\p{Nd}/u.test(pw)) found.push('no_digit');
    if (!/[^\p{L}\p{N}]/u.test(pw)) found.push('no_special');
  }
  const folded = pw.toLowerCase();
  const names = [email.toLowerCase(), email.toLowerCase().split('@')[0], username.toLowerCase()];
  if (names.some((name) => name.length >= 3 && folded.includes(name))) found.push('contains_identity');
  return found;
}

export function ruleCodes(policy) {
  const codes = ['too_short'];
  if (policy.require_letter_digit_special) codes.push('no_letter', 'no_digit', 'no_special');
  codes.push('contains_identity');
  return codes;
}
