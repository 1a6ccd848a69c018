// Client-side checks mirroring the server's rules; the server stays the authority.
export const USERNAME_RE = /^[a-zA-Z0-9_.-]{3,32}$/;

export function validateUsername(username) {
  if (!username) return 'Enter a username.';
  if (!USERNAME_RE.test(username)) return 'Usernames are 3–32 characters: letters, digits, dot, dash or underscore.';
  return null;
}

export function validateSignup({ username, email, password }) {
  return (
    validateUsername(username) ||
    (!email || !/^[^\s@]+@[^\s@]+$/.test(email) ? 'Enter a valid email address.' : null) ||
    (!password || password.length < 10 ? 'Use a password of at least 10 characters.' : null)
  );
}

export function validateCode(code) {
  return /^\d{6}$/.test(code) ? null : 'Enter the 6-digit code from the email.';
}

// The server's password policy (imageapp.ValidatePassword): 10+ characters, at most 256 bytes.
export function validatePassword(password) {
  if ([...(password || '')].length < 10) return 'Passwords need at least 10 characters.';
  if (new TextEncoder().encode(password).length > 256) return 'Passwords can be at most 256 bytes.';
  return null;
}
