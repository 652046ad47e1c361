/**
 * Store URLs in messages. Its own module, without the engines, so that either engine's code
 * can use it without loading the other's.
 */

/**
 * A URL with its password replaced by ***, for messages and logs: the password between
 * `user:` and the last `@` of the authority (an empty user, or an unencoded @ in the password,
 * included), and a `password=` query parameter.
 * @example redactUrl('postgres://ml:s3cret@db:5432/x') === 'postgres://ml:***@db:5432/x'
 */
export function redactUrl(url: string): string {
  return url.replace(/(\/\/[^:/@]*:)[^/]*@/, '$1***@').replace(/([?&]password=)[^&]*/i, '$1***');
}
