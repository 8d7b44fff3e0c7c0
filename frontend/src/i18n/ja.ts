// Japanese messages: the default language and the source of the catalogue's
// shape. Wording follows the city's operations manual (二要素認証 操作マニュアル)
// wherever it names a screen, a button or a choice, so users can follow it.
export const ja = {
  lang: 'ja' as 'ja' | 'en',
  systemName: '横浜市電子請求システム',
  languageLabel: '表示言語',
  busy: '処理中です',
  loading: '読み込み中です…',

  retry: '再試行',
  loginHeading: 'ログイン',
  username: 'ユーザー名',
  password: 'パスワード',
  forgotLink: 'パスワードを忘れた場合',
  loginButton: 'ログイン',

  forgotHeading: 'パスワードを忘れた場合',
  forgotBody:
    'パスワードと二要素認証の初期化は、今後のリリースでこの画面から行えるようになります。お急ぎの場合は、ヘルプデスクにお問い合わせください。',
  backToLogin: 'ログイン画面に戻る',

  setupHeading: 'マルチファクター認証の設定',
  setupIntro:
    '初めてログインする場合は、二要素認証の設定が必要です。スマートフォンの認証アプリ、またはPCブラウザの拡張機能で、次のQRコードをスキャンしてください。',
  qrAlt: '認証アプリでスキャンするQRコード',
  secretLabel: 'QRコードを読み取れない場合は、次の文字列コードを認証アプリに入力してください。',
  accountLine: (issuer: string, account: string) => `発行者: ${issuer} ／ アカウント: ${account}`,
  copy: 'コピー',
  copied: 'コピーしました。',
  copyFailed: 'コピーできませんでした。文字列コードを選択してコピーしてください。',
  appsHeading: '動作確認済みの認証アプリ',
  appsMobile: 'モバイル: Google Authenticator、Microsoft Authenticator',
  appsPc: 'PC: ブラウザの拡張機能「Authenticator」（2FA Client）',
  warningHeading: '注意事項',
  warningBody:
    '認証アプリに登録した情報は、あとから再表示できません。認証アプリから登録情報を削除すると、このシステムにログインできなくなります。その場合は、ログイン画面の「パスワードを忘れた場合」からパスワードと二要素認証を初期化してください（改めて二要素認証の設定が必要になります）。',
  setupCodeLabel: '認証アプリに表示された6桁のコード',
  pairButton: 'デバイスのペアリングとログイン',

  mfaHeading: 'マルチファクター認証',
  chooseLegend: '検証コードの取得方法を選択してください。',
  methodTotp: '認証アプリから検証コードを取得',
  methodEmail: '以下に送信された検証コードを取得',
  methodWebauthn: '生体認証またはFIDO2セキュリティキーを使用',
  continueButton: '続行',

  codeIntroTotp: '認証アプリに表示されている6桁のコードを入力し、『検証』を押してください。',
  codeIntroEmail: (hint: string) =>
    `${hint} に送信した6桁のコードを入力し、『検証』を押してください。`,
  codeLabel: '検証コード（6桁）',
  codeHint: '全角数字、スペース、ハイフンを含めて入力しても構いません。',
  codeInvalidChars: '数字以外の文字が含まれています。数字6桁を入力してください。',
  trustBrowser: '今後8時間、このブラウザのMFAを試さないでください',
  setupWebauthn: 'モバイル: 生体認証またはFIDO2セキュリティキーを設定',
  verifyButton: '検証',
  resendButton: 'コードを再送信',
  resendIn: (time: string) => `コードを再送信（${time} 後に可能）`,
  emailSent: '検証コードをメールで送信しました。',
  otherMethod: '別の方法を選ぶ',

  webauthnIntro: '『生体認証またはFIDO2セキュリティキーを使用してログイン』を押し、登録した方法で認証してください。',
  webauthnButton: '生体認証またはFIDO2セキュリティキーを使用してログイン',
  registerHeading: '生体認証またはFIDO2セキュリティキーの登録',
  registerIntro:
    '以前のログインで設定を希望されたため、この端末の生体認証（指紋・顔など）またはFIDO2セキュリティキーを登録できます。登録すると、次回から認証アプリのコードの代わりに使用できます。',
  registerName: '登録名（任意。例: 事務所のPC）',
  registerButton: '登録する',
  registerLater: '今は登録しない',
  registered: '生体認証またはFIDO2セキュリティキーを登録しました。',

  signedInHeading: 'ログインしました',
  signedInUser: 'ユーザー名',
  signedInEmail: 'メールアドレス',
  signedInFactors: '認証に使用した要素',
  signedInAt: 'ログイン日時',
  signedInExpires: 'セッションの有効期限',
  signedInIdle: '操作がない場合の有効期限',
  forgetBrowser: 'このブラウザの信頼を解除',
  browserForgotten: 'このブラウザの信頼を解除しました。次回のログインから二要素認証が必要になります。',
  logoutButton: 'ログアウト',
  loggedOut: 'ログアウトしました。',
  listSeparator: '、',
  factorNames: {
    password: 'パスワード',
    totp: '認証アプリ',
    email: 'メールの検証コード',
    webauthn: '生体認証／FIDO2セキュリティキー',
    trusted_browser: '信頼済みのブラウザ',
    recovery_code: 'リカバリーコード',
  } as Record<string, string>,

  errorHeading: 'エラー',
  problem_invalid_input: '入力内容を確認してください。',
  problem_bad_credentials: 'ユーザー名またはパスワードが正しくありません。',
  problem_code_invalid: (left: number | undefined) =>
    left === undefined
      ? 'コードが正しくありません。'
      : `コードが正しくありません。あと${left}回入力できます。`,
  problem_code_reused:
    'このコードはすでに使用されています。認証アプリに次のコードが表示されてから入力してください。',
  problem_code_expired: 'コードの有効期限が切れました。新しいコードを送信してください。',
  problem_flow_not_found: 'ログインの手続きが見つかりません。もう一度ログインしてください。',
  problem_flow_expired: 'ログインの有効期限が切れました。もう一度ログインしてください。',
  problem_flow_exhausted:
    'コードの入力誤りが上限に達しました。お手数ですが、もう一度ログインしてください。',
  problem_step_not_allowed: 'この操作は現在行えません。画面の案内に従ってください。',
  problem_conflict: 'ほかの操作と重なったため、完了できませんでした。もう一度お試しください。',
  problem_last_factor: '最後の認証方法は削除できません。',
  problem_webauthn_failed:
    '生体認証またはセキュリティキーによる認証に失敗しました。もう一度お試しいただくか、別の方法を選択してください。',
  problem_challenge_expired: '認証の有効時間が過ぎました。もう一度お試しください。',
  problem_webauthn_cancelled: '認証が取り消されたか、時間内に完了しませんでした。もう一度お試しください。',
  problem_webauthn_unsupported:
    'このブラウザまたは端末では、生体認証・セキュリティキーを利用できません。別の方法を選択してください。',
  problem_webauthn_exists: 'このセキュリティキーは、すでに登録されています。',
  problem_webauthn_error:
    '生体認証・セキュリティキーの処理中にエラーが発生しました。もう一度お試しいただくか、別の方法を選択してください。',
  problem_rate_limited: (minutes: number) =>
    `試行回数が多すぎます。${minutes}分ほど待ってから、もう一度お試しください。`,
  problem_resend_too_soon: 'コードの再送信は、もうしばらくお待ちください。',
  problem_busy: (minutes: number | undefined) =>
    minutes === undefined
      ? 'ただいま混み合っています。しばらく待ってから、もう一度お試しください。'
      : `ただいま混み合っています。${minutes}分ほど待ってから、もう一度お試しください。`,
  problem_unauthenticated: 'ログインしていないか、有効期限が切れました。もう一度ログインしてください。',
  problem_forbidden_origin: 'このページからは送信できません。ページを再読み込みしてください。',
  problem_unsupported_media_type:
    '送信内容を処理できませんでした。ページを再読み込みして、もう一度お試しください。',
  problem_body_too_large: '入力内容が長すぎます。内容を確認してください。',
  problem_not_found: 'お探しの機能が見つかりません。ページを再読み込みしてください。',
  problem_internal: 'システムエラーが発生しました。しばらく待ってから、もう一度お試しください。',
  problem_network: 'サーバーに接続できません。通信環境を確認して、もう一度お試しください。',
  problem_code_incomplete: '6桁の数字を入力してください。',
  problem_unknown: (code: string) => `エラーが発生しました（${code}）。もう一度お試しください。`,
};

/** The shape every language must fill: a missing or extra key fails `tsc`. */
export type Catalogue = typeof ja;
