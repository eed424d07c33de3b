/** What a username may be (users, the bootstrap admin); unique regardless of case. */
export const USERNAME_PATTERN = /^[A-Za-z0-9._-]{3,50}$/;

export const USERNAME_RULE = '3-50 letters, digits, dots, dashes or underscores';
