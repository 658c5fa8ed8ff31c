// Credentials never reach a log line, an error message or a dead letter: a URL's userinfo and the values of query
// parameters that carry secrets are masked wherever a URL is quoted. Pure.

const SECRET_PARAM = /^(access_?token|token|api_?key|apikey|key|secret|client_?secret|password|passwd|pwd|auth|authorization|sig|signature|x-amz-signature|x-amz-credential|x-amz-security-token|code|session|sessionid|jwt)$/i;

const MASK = '***';

/** A URL as it may be shown: userinfo and secret-bearing query values masked. Not a URL: returned as is. */
export function redactUrl(uri: string): string {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return uri;
  }
  if (url.username) url.username = MASK;
  if (url.password) url.password = MASK;
  for (const name of [...url.searchParams.keys()]) if (SECRET_PARAM.test(name)) url.searchParams.set(name, MASK);
  // URL encodes the mask; show it plainly.
  return url.toString().replaceAll('%2A%2A%2A', MASK);
}

/** Text with every http(s) URL in it redacted (a sidecar's or a library's error message quoting a request). */
export const redactText = (text: string): string => text.replace(/\bhttps?:\/\/[^\s"'<>]+/g, (u) => redactUrl(u));
