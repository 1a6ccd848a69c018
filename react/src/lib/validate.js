// Client-side checks in the server's rules and words (imageapp.Rules, written into rules.json
// by its Go test); the server stays the authority.
import rules from './rules.json';

export { rules };
export const USERNAME_RE = new RegExp(rules.username.pattern);
const EMAIL_RE = new RegExp(rules.email.pattern);
const CODE_RE = new RegExp(rules.code.pattern);

export function validateUsername(username) {
  if (!username) return rules.username.missing;
  if (!USERNAME_RE.test(username)) return rules.username.invalid;
  return null;
}

export function validateSignup({ username, email, password }) {
  return (
    validateUsername(username) ||
    (!email || !EMAIL_RE.test(email) ? rules.email.invalid : null) ||
    validatePassword(password)
  );
}

export function validateCode(code) {
  return CODE_RE.test(code) ? null : rules.code.invalid;
}

// The server's password policy (imageapp.ValidatePassword).
export function validatePassword(password) {
  if ([...(password || '')].length < rules.password.min_length) return rules.password.too_short;
  if (new TextEncoder().encode(password).length > rules.password.max_bytes) return rules.password.too_long;
  return null;
}
