// English messages. Typed as the Japanese catalogue's shape, so a key added
// there and forgotten here (or the other way round) fails the type check.
import type { Catalogue } from './ja';

export const en: Catalogue = {
  lang: 'en',
  systemName: 'Yokohama City e-Billing System',
  languageLabel: 'Language',
  busy: 'Working',
  loading: 'Loading…',

  retry: 'Try again',
  loginHeading: 'Log in',
  username: 'User name',
  password: 'Password',
  forgotLink: 'Forgot your password?',
  loginButton: 'Log in',

  forgotHeading: 'Forgot your password',
  forgotBody:
    'Resetting your password and two-factor authentication from this screen will be available in a later release. If it is urgent, please contact the help desk.',
  backToLogin: 'Back to log in',

  setupHeading: 'Set up multi-factor authentication',
  setupIntro:
    'Because this is your first login, please set up two-factor authentication. Scan this QR code with an authenticator app on your phone or a browser extension on your PC.',
  qrAlt: 'QR code to scan with your authenticator app',
  secretLabel: "If you can't scan the QR code, enter this key in your authenticator app instead.",
  accountLine: (issuer: string, account: string) => `Issuer: ${issuer} / Account: ${account}`,
  copy: 'Copy',
  copied: 'Copied.',
  copyFailed: "Couldn't copy. Please select the key and copy it.",
  appsHeading: 'Tested authenticator apps',
  appsMobile: 'Phone: Google Authenticator, Microsoft Authenticator',
  appsPc: 'PC: the browser extension “Authenticator” (2FA Client)',
  warningHeading: 'Important',
  warningBody:
    'What you register in the authenticator app cannot be shown again. If you delete the registration from the app, you will not be able to log in; then use “Forgot your password?” on the login screen to reset your password and two-factor authentication (you will need to set it up again).',
  setupCodeLabel: 'The 6-digit code shown in your app',
  pairButton: 'Pair device and log in',

  mfaHeading: 'Multi-factor authentication',
  chooseLegend: 'Choose how to get your verification code.',
  methodTotp: 'Get a verification code from my authenticator app',
  methodEmail: 'Get a verification code sent to',
  methodWebauthn: 'Use biometrics or a FIDO2 security key',
  continueButton: 'Continue',

  codeIntroTotp: 'Enter the 6-digit code shown in your authenticator app and press “Verify”.',
  codeIntroEmail: (hint: string) => `Enter the 6-digit code we sent to ${hint} and press “Verify”.`,
  codeLabel: 'Verification code (6 digits)',
  codeHint: 'Spaces and hyphens are fine.',
  codeInvalidChars: 'The code contains characters other than digits. Please enter 6 digits.',
  trustBrowser: "Don't ask for MFA on this browser for the next 8 hours",
  setupWebauthn: 'Mobile: set up biometrics or a FIDO2 security key',
  verifyButton: 'Verify',
  resendButton: 'Send the code again',
  resendIn: (time: string) => `Send the code again (available in ${time})`,
  emailSent: 'We sent you a verification code by e-mail.',
  otherMethod: 'Choose another method',

  webauthnIntro: 'Press “Log in with biometrics or a FIDO2 security key” and confirm with the method you registered.',
  webauthnButton: 'Log in with biometrics or a FIDO2 security key',
  registerHeading: 'Register biometrics or a FIDO2 security key',
  registerIntro:
    'As you asked at an earlier login, you can now register this device’s biometrics (fingerprint, face, …) or a FIDO2 security key. From the next login on, you can use it instead of a code from the authenticator app.',
  registerName: 'Name (optional, e.g. office PC)',
  registerButton: 'Register',
  registerLater: 'Not now',
  registered: 'Your biometrics or FIDO2 security key is registered.',

  signedInHeading: "You're logged in",
  signedInUser: 'User name',
  signedInEmail: 'E-mail address',
  signedInFactors: 'Factors used',
  signedInAt: 'Logged in at',
  signedInExpires: 'Session expires at',
  signedInIdle: 'Expires if idle at',
  forgetBrowser: 'Stop trusting this browser',
  browserForgotten: 'This browser is no longer trusted. The next login will ask for the second factor again.',
  logoutButton: 'Log out',
  loggedOut: 'You have logged out.',
  listSeparator: ', ',
  factorNames: {
    password: 'Password',
    totp: 'Authenticator app',
    email: 'E-mail code',
    webauthn: 'Biometrics / FIDO2 security key',
    trusted_browser: 'Trusted browser',
    recovery_code: 'Recovery code',
  },

  errorHeading: 'Error',
  problem_invalid_input: 'Please check what you entered.',
  problem_bad_credentials: 'The user name or password is incorrect.',
  problem_code_invalid: (left: number | undefined) =>
    left === undefined
      ? 'The code is incorrect.'
      : `The code is incorrect. You have ${left} ${left === 1 ? 'attempt' : 'attempts'} left.`,
  problem_code_reused: 'This code has already been used. Please wait for the next code in your app.',
  problem_code_expired: 'The code has expired. Please send a new one.',
  problem_flow_not_found: 'Your login could not be found. Please log in again.',
  problem_flow_expired: 'Your login has expired. Please log in again.',
  problem_flow_exhausted: 'Too many incorrect codes. Please log in again.',
  problem_step_not_allowed: 'That step is not possible right now. Please follow the screen.',
  problem_conflict: 'This clashed with another change and could not be completed. Please try again.',
  problem_last_factor: 'You cannot remove your last sign-in method.',
  problem_webauthn_failed:
    'Biometrics or the security key could not be verified. Please try again or choose another method.',
  problem_challenge_expired: 'The verification took too long. Please try again.',
  problem_webauthn_cancelled: 'The verification was cancelled or timed out. Please try again.',
  problem_webauthn_unsupported:
    'This browser or device cannot use biometrics or security keys. Please choose another method.',
  problem_webauthn_exists: 'This security key is already registered.',
  problem_webauthn_error:
    'Something went wrong with biometrics or the security key. Please try again or choose another method.',
  problem_rate_limited: (minutes: number) =>
    `Too many attempts. Please try again in about ${minutes} ${minutes === 1 ? 'minute' : 'minutes'}.`,
  problem_resend_too_soon: 'Please wait a little before requesting another code.',
  problem_busy: (minutes: number | undefined) =>
    minutes === undefined
      ? 'The system is busy. Please try again shortly.'
      : `The system is busy. Please try again in about ${minutes} ${minutes === 1 ? 'minute' : 'minutes'}.`,
  problem_unauthenticated: 'You are not logged in, or your session has expired. Please log in again.',
  problem_forbidden_origin: 'This page is not allowed to send that request. Please reload the page.',
  problem_unsupported_media_type: "The request couldn't be processed. Please reload the page and try again.",
  problem_body_too_large: 'What you entered is too long. Please check it.',
  problem_not_found: "That function couldn't be found. Please reload the page.",
  problem_internal: 'A system error occurred. Please try again later.',
  problem_network: "Can't reach the server. Please check your connection and try again.",
  problem_code_incomplete: 'Please enter all 6 digits.',
  problem_unknown: (code: string) => `An error occurred (${code}). Please try again.`,
};
