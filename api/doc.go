// Package api is Kanmon's HTTP face: the Echo server, its route table, thin
// handlers that decode a request, call the auth domain and encode the answer, the
// one map from domain errors to RFC 9457 problem documents, and the embedded SPA.
//
//	@title						Kanmon API
//	@version					1.0
//	@description				Sign-in gate of the e-billing system: password, then a second factor (authenticator app). State-changing requests must be same-origin JSON (`Content-Type: application/json`, and a matching `Origin` or `Sec-Fetch-Site: same-origin` when a browser sends them). Errors are RFC 9457 problem documents with a stable `code`.
//	@license.name				Proprietary
//	@BasePath					/
//	@securityDefinitions.apikey	SessionCookie
//	@in							header
//	@name						Cookie
//	@description				The session cookie `__Host-kanmon_session` (in dev mode on plain HTTP: `kanmon_session`), set when a login completes. Swagger 2.0 cannot describe cookies, so it appears here as the Cookie header.
//	@securityDefinitions.apikey	FlowCookie
//	@in							header
//	@name						Cookie
//	@description				The login-flow cookie `__Host-kanmon_flow` (dev: `kanmon_flow`), set by POST /login and cleared when the login completes.
package api
