package server

import (
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/labstack/echo/v4"

	"github.com/folio-search/folio/index"
	"github.com/folio-search/folio/index/article"
)

// Reader tokens: a portal that knows who its user is signs a short-lived
// JWT naming the user's groups, and Folio shows that request only the
// articles without groups and those sharing a group with the token
// (index.Visibility). A token travels in the X-Folio-Token header, or the
// token parameter where a header cannot be set (a link): the
// Authorization header stays the search key's, so both can be required at
// once.

// Token transport.
const (
	// HeaderToken is the request header that carries a reader token.
	HeaderToken = "X-Folio-Token"
	// tokenParam is the query parameter that carries a reader token.
	tokenParam = "token"
)

// Bounds of tokens.
const (
	// maxTokenBytes bounds a token's text: a JWT of 64 groups and a filter
	// is far smaller.
	maxTokenBytes = 8 << 10
	// tokenLeeway is the clock skew allowed on exp, nbf and iat.
	tokenLeeway = 60 * time.Second
	// DefaultTokenMaxTTL is the longest life of a token (exp − iat) when
	// Options.TokenMaxTTL is 0.
	DefaultTokenMaxTTL = 12 * time.Hour
)

// Token key algorithms (the alg of the tokens a key verifies).
const (
	AlgHS256 = "HS256" // a secret shared with the portal
	AlgEdDSA = "EdDSA" // the portal's Ed25519 public key
)

// TokenKey is one key that verifies reader tokens: the tokens whose header
// names its ID as kid and its Alg as alg.
type TokenKey struct {
	ID     string
	Alg    string            // AlgHS256 or AlgEdDSA
	Secret []byte            // HS256: the shared secret
	Public ed25519.PublicKey // EdDSA: the portal's public key
}

// tokenClaims are the claims Folio reads; exp is required.
type tokenClaims struct {
	jwt.RegisteredClaims
	Groups []string     `json:"groups,omitempty"`
	Filter *tokenFilter `json:"filter,omitempty"`
}

// tokenFilter are the extra restrictions a token's issuer may add.
type tokenFilter struct {
	Sources []string `json:"sources,omitempty"`
	Tags    []string `json:"tags,omitempty"`
	From    string   `json:"from,omitempty"` // YYYY-MM-DD or RFC 3339, inclusive
	To      string   `json:"to,omitempty"`   // YYYY-MM-DD (the whole day) or RFC 3339, inclusive
}

// Reader is who a verified token says reads: what it may see and its sub.
type Reader struct {
	Visible index.Visibility
	Sub     string
}

// tokenError is a rejected token: 401 with code invalid_token (or
// token_required) and a message saying why, never anything of the keys.
func tokenError(code, format string, args ...any) *apiError {
	return &apiError{Status: http.StatusUnauthorized, Code: code, Message: fmt.Sprintf(format, args...)}
}

// tokenVerifier checks reader tokens against the configured keys.
type tokenVerifier struct {
	keys     map[string]TokenKey
	maxTTL   time.Duration
	audience string
	now      func() time.Time
}

// newTokenVerifier is the verifier of o's token options; nil when no key is configured.
func newTokenVerifier(o Options) *tokenVerifier {
	if len(o.TokenKeys) == 0 {
		return nil
	}
	v := &tokenVerifier{keys: map[string]TokenKey{}, maxTTL: o.TokenMaxTTL, audience: o.TokenAudience, now: time.Now}
	if v.maxTTL <= 0 {
		v.maxTTL = DefaultTokenMaxTTL
	}
	for _, k := range o.TokenKeys {
		v.keys[k.ID] = k
	}
	return v
}

// verify checks the token s and returns its reader, or an *apiError saying why it is rejected.
func (v *tokenVerifier) verify(s string) (Reader, error) {
	if len(s) > maxTokenBytes {
		return Reader{}, tokenError("invalid_token", "token rejected: it is longer than %d bytes", maxTokenBytes)
	}
	alg, kid, err := tokenHeader(s)
	if err != nil {
		return Reader{}, err
	}
	switch alg {
	case AlgHS256, AlgEdDSA:
	case "none", "":
		return Reader{}, tokenError("invalid_token", "token rejected: unsigned tokens (alg none) are not accepted")
	default:
		return Reader{}, tokenError("invalid_token", "token rejected: alg %q is not accepted (accepted: HS256, EdDSA)", article.Clip(alg, 20))
	}
	key, ok := v.keys[kid]
	if !ok {
		return Reader{}, tokenError("invalid_token", "token rejected: unknown kid %q", article.Clip(kid, 40))
	}
	if key.Alg != alg {
		return Reader{}, tokenError("invalid_token", "token rejected: kid %q verifies %s tokens, not %s", key.ID, key.Alg, alg)
	}
	opts := []jwt.ParserOption{jwt.WithValidMethods([]string{key.Alg}), jwt.WithExpirationRequired(), jwt.WithIssuedAt(),
		jwt.WithLeeway(tokenLeeway), jwt.WithTimeFunc(v.now)}
	if v.audience != "" {
		opts = append(opts, jwt.WithAudience(v.audience))
	}
	var claims tokenClaims
	_, err = jwt.NewParser(opts...).ParseWithClaims(s, &claims, func(*jwt.Token) (any, error) {
		if key.Alg == AlgEdDSA {
			return key.Public, nil
		}
		return key.Secret, nil
	})
	if err != nil {
		return Reader{}, v.claimsError(err)
	}
	return v.reader(&claims)
}

// claimsError says which check a token failed.
func (v *tokenVerifier) claimsError(err error) error {
	why := "it cannot be read"
	switch {
	case errors.Is(err, jwt.ErrTokenSignatureInvalid):
		why = "bad signature"
	case errors.Is(err, jwt.ErrTokenInvalidAudience),
		errors.Is(err, jwt.ErrTokenRequiredClaimMissing) && strings.Contains(err.Error(), "aud"):
		why = fmt.Sprintf("wrong audience (aud must include %q)", v.audience)
	case errors.Is(err, jwt.ErrTokenRequiredClaimMissing):
		why = "it has no exp (expiry) claim"
	case errors.Is(err, jwt.ErrTokenExpired):
		why = "expired"
	case errors.Is(err, jwt.ErrTokenNotValidYet):
		why = "not valid yet (nbf is more than 60 s ahead of this server's clock)"
	case errors.Is(err, jwt.ErrTokenUsedBeforeIssued):
		why = "issued in the future (iat is more than 60 s ahead of this server's clock)"
	case errors.Is(err, jwt.ErrTokenMalformed), errors.Is(err, jwt.ErrInvalidType):
		why = "malformed (want a JWT: header.claims.signature, with the claims Folio reads of their JSON types)"
	}
	return tokenError("invalid_token", "token rejected: %s", why)
}

// reader checks what the claims grant (lifetime, groups, filter) and turns them into a Reader.
func (v *tokenVerifier) reader(c *tokenClaims) (Reader, error) {
	exp := c.ExpiresAt.Time
	start := v.now()
	if c.IssuedAt != nil && c.IssuedAt.Before(start) {
		start = c.IssuedAt.Time
	}
	if exp.Sub(start) > v.maxTTL+tokenLeeway {
		return Reader{}, tokenError("invalid_token", "token rejected: it lives longer than server.token_max_ttl (%s)", v.maxTTL)
	}
	r := Reader{Sub: c.Subject}
	groups := article.NormalizeGroups(c.Groups)
	if len(groups) > index.MaxVisibilityValues {
		return Reader{}, tokenError("invalid_token", "token rejected: it names %d groups; the limit is %d", len(groups), index.MaxVisibilityValues)
	}
	for _, g := range groups {
		if err := article.CheckGroup(g); err != nil {
			return Reader{}, tokenError("invalid_token", "token rejected: %v", err)
		}
	}
	r.Visible.Groups = groups
	if f := c.Filter; f != nil {
		if len(f.Sources) > index.MaxVisibilityValues || len(f.Tags) > index.MaxVisibilityValues {
			return Reader{}, tokenError("invalid_token", "token rejected: its filter names more than %d sources or tags", index.MaxVisibilityValues)
		}
		r.Visible.Sources, r.Visible.Tags = nonEmptyValues(f.Sources), nonEmptyValues(f.Tags)
		var err error
		if r.Visible.Start, err = filterTime(f.From, false); err != nil {
			return Reader{}, err
		}
		if r.Visible.End, err = filterTime(f.To, true); err != nil {
			return Reader{}, err
		}
		if !r.Visible.Start.IsZero() && !r.Visible.End.IsZero() && !r.Visible.Start.Before(r.Visible.End) {
			return Reader{}, tokenError("invalid_token", "token rejected: filter.from is after filter.to")
		}
		if (len(f.Sources) > 0 && r.Visible.Sources == nil) || (len(f.Tags) > 0 && r.Visible.Tags == nil) {
			return Reader{}, tokenError("invalid_token", "token rejected: filter.sources and filter.tags must not hold only empty strings")
		}
	}
	return r, nil
}

// nonEmptyValues is vs without empty strings; nil when none is left.
func nonEmptyValues(vs []string) []string {
	var out []string
	for _, s := range vs {
		if s = strings.TrimSpace(s); s != "" && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// filterTime parses a filter bound: a day (UTC; as the end, the day after)
// or an RFC 3339 instant (as the end, just after it); zero for "".
func filterTime(s string, end bool) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		if end {
			t = t.AddDate(0, 0, 1)
		}
		return t, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, tokenError("invalid_token", "token rejected: filter date %q is not YYYY-MM-DD nor RFC 3339", article.Clip(s, 40))
	}
	if end {
		t = t.Add(time.Nanosecond)
	}
	return t, nil
}

// tokenHeader reads alg and kid from a JWT's header, without verifying it.
func tokenHeader(s string) (alg, kid string, err error) {
	head, _, ok := strings.Cut(s, ".")
	b, derr := base64.RawURLEncoding.DecodeString(head)
	var h struct {
		Alg string `json:"alg"`
		Kid string `json:"kid"`
	}
	if !ok || derr != nil || json.Unmarshal(b, &h) != nil || strings.Count(s, ".") != 2 {
		return "", "", tokenError("invalid_token", "token rejected: malformed (want a JWT: header.claims.signature)")
	}
	return h.Alg, h.Kid, nil
}

// requestToken is the token of a request: the X-Folio-Token header, else
// the token parameter; "" for none.
func requestToken(c echo.Context) string {
	if t := strings.TrimSpace(c.Request().Header.Get(HeaderToken)); t != "" {
		return t
	}
	return strings.TrimSpace(c.QueryParam(tokenParam))
}

// requireToken, the middleware of the read group after requireKey, says
// who reads: a valid token's reader (its groups and filter), or, without a
// token, a reader who sees only the articles without groups — or 401 when
// Options.RequireToken is set. A token that fails any check is 401 with a
// message saying which; a token sent to a server with no token keys is
// refused too, rather than silently read as no token.
func (s *Server) requireToken(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		// The answer depends on the token: shared caches must key on it,
		// and keep no answer made for a reader.
		c.Response().Header().Add(echo.HeaderVary, HeaderToken)
		t := requestToken(c)
		if t != "" {
			c.Response().Header().Set("Cache-Control", "private, no-store")
		}
		if t == "" {
			if s.opts.RequireToken {
				return tokenError("token_required", "a reader token is required: send it in the %s header (or the token parameter, or the token attribute of <folio-search>)", HeaderToken)
			}
			return next(c)
		}
		if s.tokens == nil {
			return tokenError("invalid_token", "token rejected: this server verifies no tokens (server.token_keys is empty)")
		}
		r, err := s.tokens.verify(t)
		if err != nil {
			return err
		}
		c.Set(readerKey, r.Visible)
		c.Set(subKey, r.Sub)
		return next(c)
	}
}

// MintToken signs an HS256 reader token with key for groups (and sub when
// not ""), valid from now for ttl; aud is set when not "". It is what
// `folio token` prints; portals mint their own (docs/access.md).
func MintToken(key TokenKey, groups []string, sub, aud string, now time.Time, ttl time.Duration) (string, error) {
	if key.Alg != AlgHS256 {
		return "", fmt.Errorf("key %q is an %s public key: only hs256 keys can sign here", key.ID, key.Alg)
	}
	if err := article.CheckGroups(groups); err != nil {
		return "", err
	}
	c := tokenClaims{Groups: groups}
	c.Subject = sub
	c.IssuedAt = jwt.NewNumericDate(now)
	c.ExpiresAt = jwt.NewNumericDate(now.Add(ttl))
	if aud != "" {
		c.Audience = jwt.ClaimStrings{aud}
	}
	t := jwt.NewWithClaims(jwt.SigningMethodHS256, c)
	t.Header["kid"] = key.ID
	return t.SignedString(key.Secret)
}

// VerifyToken checks token as the read API would with o's token options
// (TokenKeys, TokenMaxTTL, TokenAudience) and returns its reader; the error
// says why a token is rejected (or that o has no token keys).
func VerifyToken(o Options, token string) (Reader, error) {
	v := newTokenVerifier(o)
	if v == nil {
		return Reader{}, errors.New("no token can be verified: server.token_keys is empty")
	}
	return v.verify(token)
}
