package server

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/folio-search/folio/index"
	"github.com/folio-search/folio/server/analytics"
)

// accessDir holds public articles and articles of the groups hr (files
// hr-*: hr, finance) and eng (files eng-*: eng, ops), whose words no other
// article has.
const accessDir = "../testdata/access"

// Test keys: two HS256 kids (a rotation) and an Ed25519 one.
var (
	testSecret  = []byte("portal-2026-secret-0123456789abcdef")
	testSecret2 = []byte("portal-2025-secret-fedcba9876543210")
	testEdSeed  = []byte("an ed25519 seed of 32 bytes!!!!!")
)

func testTokenKeys() []TokenKey {
	priv := ed25519.NewKeyFromSeed(testEdSeed)
	return []TokenKey{
		{ID: "portal-2026", Alg: AlgHS256, Secret: testSecret},
		{ID: "portal-2025", Alg: AlgHS256, Secret: testSecret2},
		{ID: "sso", Alg: AlgEdDSA, Public: priv.Public().(ed25519.PublicKey)},
	}
}

// accessIndex builds an index of the files of accessDir whose names start
// with one of prefixes ("" for all), in a temporary folder.
func accessIndex(t *testing.T, prefixes ...string) *index.Index {
	t.Helper()
	src := t.TempDir()
	entries, err := os.ReadDir(accessDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		public := !strings.HasPrefix(e.Name(), "hr-") && !strings.HasPrefix(e.Name(), "eng-")
		if !public && !slices.ContainsFunc(prefixes, func(p string) bool { return strings.HasPrefix(e.Name(), p) }) {
			continue
		}
		b, err := os.ReadFile(filepath.Join(accessDir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(src, e.Name()), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ix, err := index.Create(index.DefaultOptions(filepath.Join(t.TempDir(), "idx")))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	if _, err := ix.Ingest(context.Background(), []string{src}, index.IngestOptions{}); err != nil {
		t.Fatal(err)
	}
	return ix
}

// accessServer serves ix verifying the test keys, with o's other options.
func accessServer(ix *index.Index, o Options) *Server {
	o.TokenKeys = testTokenKeys()
	return New(ix, o, nil)
}

// signed is a token of claims signed with method and key, with kid.
func signed(t *testing.T, method jwt.SigningMethod, key any, kid string, claims jwt.MapClaims) string {
	t.Helper()
	tok := jwt.NewWithClaims(method, claims)
	if kid != "" {
		tok.Header["kid"] = kid
	}
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// hsToken is a valid portal-2026 token for groups, living an hour.
func hsToken(t *testing.T, groups ...string) string {
	t.Helper()
	s, err := MintToken(testTokenKeys()[0], groups, "user-"+strings.Join(groups, "-"), "", time.Now(), time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// get sends GET target with the token (in the X-Folio-Token header; "" for none).
func get(t *testing.T, srv http.Handler, target, token string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, target, nil)
	if token != "" {
		req.Header.Set(HeaderToken, token)
	}
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, req)
	return rec
}

// leakReader is one reader of the leak matrix.
type leakReader struct {
	name     string
	groups   []string // nil: no token
	prefixes []string // the files of accessDir it may see, beside the public ones
	hidden   []string // ids and words of the articles it may not see
}

var hrWords = []string{"hr-payroll", "hr-severance", "zorbulent", "quixotrel", "marrowind", "hr portal", "confidential", "severance"}
var engWords = []string{"eng-runbook", "eng-oncall", "eng-postmortem", "flumbertex", "grindlewick", "engineering wiki", "runbook", "oncall", "postmortem"}

var leakReaders = []leakReader{
	{"hr", []string{"hr"}, []string{"hr-"}, engWords},
	{"eng", []string{"eng"}, []string{"eng-"}, hrWords},
	{"no token", nil, nil, append(slices.Clone(hrWords), engWords...)},
}

// leakTargets are the read requests of the leak matrix: searches of the
// hidden articles' words (hits, totals, facets, typo tolerance and
// did-you-mean), browsing, single, marked and related articles, and
// suggestions.
var leakTargets = []string{
	"/api/search?q=zorbulent&facets=source,tags,date",
	"/api/search?q=flumbertex+grindlewick&facets=source,tags,date",
	"/api/search?q=salary&facets=source,tags,date",
	"/api/search?q=spring&facets=source,tags,date&filter=source:HR+portal",
	"/api/search?q=spring&facets=source,tags,date&filter=tags:runbook&filter=tags:confidential",
	"/api/search?facets=source,tags,date&size=100",
	"/api/search?q=zorbulentt",
	"/api/search?q=quixotril",
	"/api/search?q=grindlewack",
	"/api/search?q=grindlewick",
	"/api/search?q=marrowand+reorganisation",
	"/api/search?q=quixotrel&mode=text",
	"/api/search?q=title:flumbertex",
	"/api/search?q=zorb&as_you_type=true",
	"/api/search?q=how+the+salary+review+and+payroll+bands+work+in+spring", // natural language: relevance feedback
	"/api/search?q=grindle&as_you_type=true&facets=source,tags",
	"/api/search?q=flumbertex+grind&as_you_type=true",
	"/api/search?q=flumber*",
	"/api/articles/hr-payroll",
	"/api/articles/eng-runbook",
	"/api/articles/hr-payroll?q=zorbulent",
	"/api/articles/eng-oncall?q=rota",
	"/api/articles/salary-review?q=salary",
	"/api/related/hr-payroll",
	"/api/related/eng-runbook",
	"/api/related/salary-review?size=20",
	"/api/related/office-move?size=20",
	"/api/articles/hr-severance/related",
	"/api/suggest?q=zorb",
	"/api/suggest?q=flumb",
	"/api/suggest?q=gr",
	"/api/suggest?q=sal",
	"/api/suggest?q=s",
	// The pages and the widget hold no article (they render what the API
	// above answers the reader's token: see the browser tests).
	"/?q=flumbertex",
	"/articles/eng-runbook?q=runbook",
	"/widget.js",
}

// echoed matches what a body repeats of its own request: the query and
// the id of a 404.
var echoed = regexp.MustCompile(`"query":"[^"]*"|no article with id \\"[^"\\]*\\"`)

// comparableBody is a response body without what depends on the whole
// index's term statistics (scores, and so the order of hits; took_ms):
// searches keep their total, the sorted ids with their snippets, the
// facets and the suggestion.
func comparableBody(t *testing.T, rec *httptest.ResponseRecorder) string {
	t.Helper()
	var r searchJSON
	if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Body.String(), `{"query"`) || json.Unmarshal(rec.Body.Bytes(), &r) != nil {
		return fmt.Sprintf("%d %s", rec.Code, rec.Body)
	}
	slices.SortFunc(r.Hits, func(a, b hitJSON) int { return strings.Compare(a.ID, b.ID) })
	for i := range r.Hits {
		r.Hits[i].Score = 0
	}
	r.TookMS, r.Cursor = 0, ""
	b, _ := json.Marshal(r)
	return fmt.Sprintf("%d %s", rec.Code, b)
}

// TestLeakMatrix: three readers (groups hr, groups eng, no token) × every
// read endpoint × queries of the hidden articles' words. No body names an
// id, a title, a word, a source, a tag or a suggestion of an article the
// reader may not see; and every body (totals, facet counts, suggestions,
// 404s) equals the one an index of only the visible articles answers the
// same reader.
func TestLeakMatrix(t *testing.T) {
	full := accessServer(accessIndex(t, "hr-", "eng-"), DefaultOptions())
	for _, r := range leakReaders {
		t.Run(r.name, func(t *testing.T) {
			only := accessServer(accessIndex(t, r.prefixes...), DefaultOptions())
			token := ""
			if r.groups != nil {
				token = hsToken(t, r.groups...)
			}
			for _, target := range leakTargets {
				got := get(t, full, target, token)
				if got.Code == http.StatusInternalServerError {
					t.Fatalf("%s: 500 %s", target, got.Body)
				}
				// What the request itself says (the query, the id asked
				// for) comes back as given: that is no leak.
				body := strings.ToLower(echoed.ReplaceAllString(got.Body.String(), ""))
				for _, w := range r.hidden {
					if strings.Contains(body, w) {
						t.Errorf("%s as %s: the body shows %q: %s", target, r.name, w, got.Body)
					}
				}
				want := get(t, only, target, token)
				if g, w := comparableBody(t, got), comparableBody(t, want); g != w {
					t.Errorf("%s as %s differs from an index of the visible articles:\n got: %s\nwant: %s", target, r.name, g, w)
				}
			}
		})
	}
}

// TestLeakMatrixSeesOwn: the matrix's queries do reach the restricted
// articles for a reader who may see them (else it would prove nothing).
func TestLeakMatrixSeesOwn(t *testing.T) {
	srv := accessServer(accessIndex(t, "hr-", "eng-"), DefaultOptions())
	for _, tt := range []struct {
		target, token, want string
	}{
		{"/api/search?q=zorbulent", hsToken(t, "hr"), "hr-payroll"},
		{"/api/search?q=zorbulent", hsToken(t, "finance", "ops"), `"total":0`}, // hr-payroll is hr's only
		{"/api/search?q=marrowind", hsToken(t, "finance"), "hr-severance"},
		{"/api/search?q=flumbertex", hsToken(t, "ops"), "eng-oncall"},
		{"/api/articles/hr-payroll", hsToken(t, "hr"), "zorbulent"},
		{"/api/suggest?q=zorb", hsToken(t, "hr"), "Zorbulent payroll adjustments"},
		{"/api/related/salary-review?size=20", hsToken(t, "hr"), "hr-"},
		{"/api/search?q=grindlewack", hsToken(t, "eng"), "grindlewick"},
	} {
		rec := get(t, srv, tt.target, tt.token)
		if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), tt.want) {
			t.Errorf("%s: %d %s, want %q in it", tt.target, rec.Code, rec.Body, tt.want)
		}
	}
}

// TestHiddenArticleIs404: a hidden article answers exactly as a missing one.
func TestHiddenArticleIs404(t *testing.T) {
	srv := accessServer(accessIndex(t, "hr-", "eng-"), DefaultOptions())
	eng := hsToken(t, "eng")
	for _, p := range []string{"/api/articles/%s", "/api/articles/%s?q=payroll", "/api/related/%s", "/api/articles/%s/related"} {
		hidden := get(t, srv, fmt.Sprintf(p, "hr-payroll"), eng)
		missing := get(t, srv, fmt.Sprintf(p, "hr-payrolx"), eng)
		if hidden.Code != http.StatusNotFound || strings.ReplaceAll(hidden.Body.String(), "hr-payroll", "hr-payrolx") != missing.Body.String() {
			t.Errorf("%s: hidden %d %s, missing %d %s: want the same 404", p, hidden.Code, hidden.Body, missing.Code, missing.Body)
		}
	}
}

// TestCursorOfAnotherToken: a cursor minted for one token is refused for another.
func TestCursorOfAnotherToken(t *testing.T) {
	srv := accessServer(accessIndex(t, "hr-", "eng-"), DefaultOptions())
	hr := hsToken(t, "hr")
	var first searchJSON
	rec := get(t, srv, "/api/search?size=1", hr)
	decodeJSON(t, rec, &first)
	if first.Cursor == "" {
		t.Fatal("no cursor")
	}
	target := "/api/search?size=1&cursor=" + url.QueryEscape(first.Cursor)
	if rec := get(t, srv, target, hsToken(t, "hr")); rec.Code != http.StatusOK {
		t.Errorf("the cursor with another hr token: %d %s", rec.Code, rec.Body)
	}
	for _, other := range []string{hsToken(t, "eng"), ""} {
		rec := get(t, srv, target, other)
		var e errorJSON
		if rec.Code != http.StatusBadRequest || json.Unmarshal(rec.Body.Bytes(), &e) != nil || e.Error.Param != "cursor" {
			t.Errorf("hr's cursor with token %.10q: %d %s, want 400 on cursor", other, rec.Code, rec.Body)
		}
	}
}

// TestTokenRejected: every kind of bad token is 401 invalid_token with a
// message saying which check failed and nothing of the keys.
func TestTokenRejected(t *testing.T) {
	srv := accessServer(accessIndex(t, "hr-"), Options{TokenAudience: "folio-intranet"})
	now := time.Now()
	priv := ed25519.NewKeyFromSeed(testEdSeed)
	pub := priv.Public().(ed25519.PublicKey)
	valid := func() jwt.MapClaims {
		return jwt.MapClaims{"exp": now.Add(time.Hour).Unix(), "iat": now.Unix(), "groups": []string{"hr"}, "aud": "folio-intranet"}
	}
	with := func(k string, v any) jwt.MapClaims {
		c := valid()
		if v == nil {
			delete(c, k)
		} else {
			c[k] = v
		}
		return c
	}
	none, err := jwt.NewWithClaims(jwt.SigningMethodNone, valid()).SignedString(jwt.UnsafeAllowNoneSignatureType)
	if err != nil {
		t.Fatal(err)
	}
	noneKid := strings.Replace(none, strings.Split(none, ".")[0], base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","kid":"portal-2026","typ":"JWT"}`)), 1)
	hs := jwt.SigningMethodHS256
	for _, tt := range []struct {
		name, token, want string
	}{
		{"unknown kid", signed(t, hs, testSecret, "portal-1999", valid()), `unknown kid "portal-1999"`},
		{"no kid", signed(t, hs, testSecret, "", valid()), `unknown kid ""`},
		{"bad signature", signed(t, hs, []byte("another secret of 32 bytes or more!!"), "portal-2026", valid()), "bad signature"},
		{"secret of the other kid", signed(t, hs, testSecret2, "portal-2026", valid()), "bad signature"},
		{"alg none", none, "alg none"},
		{"alg none with a kid", noneKid, "alg none"},
		{"HS256 with the EdDSA public key as secret", signed(t, hs, []byte(pub), "sso", valid()), `kid "sso" verifies EdDSA tokens, not HS256`},
		{"EdDSA under an HS256 kid", signed(t, jwt.SigningMethodEdDSA, priv, "portal-2026", valid()), `kid "portal-2026" verifies HS256 tokens, not EdDSA`},
		{"RS256", strings.Replace(signed(t, hs, testSecret, "portal-2026", valid()), strings.Split(signed(t, hs, testSecret, "portal-2026", valid()), ".")[0], base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"RS256","kid":"portal-2026"}`)), 1), `alg "RS256" is not accepted`},
		{"expired", signed(t, hs, testSecret, "portal-2026", with("exp", now.Add(-2*time.Minute).Unix())), "expired"},
		{"nbf beyond the skew", signed(t, hs, testSecret, "portal-2026", with("nbf", now.Add(2*time.Minute).Unix())), "not valid yet"},
		{"iat in the future", signed(t, hs, testSecret, "portal-2026", with("iat", now.Add(5*time.Minute).Unix())), "issued in the future"},
		{"no exp", signed(t, hs, testSecret, "portal-2026", with("exp", nil)), "no exp"},
		{"lives too long", signed(t, hs, testSecret, "portal-2026", with("exp", now.Add(13*time.Hour).Unix())), "server.token_max_ttl (12h0m0s)"},
		{"lives too long without iat", signed(t, hs, testSecret, "portal-2026", jwt.MapClaims{"exp": now.Add(48 * time.Hour).Unix(), "aud": "folio-intranet"}), "server.token_max_ttl"},
		{"wrong audience", signed(t, hs, testSecret, "portal-2026", with("aud", "folio-elsewhere")), `wrong audience (aud must include "folio-intranet")`},
		{"no audience", signed(t, hs, testSecret, "portal-2026", with("aud", nil)), "wrong audience"},
		{"bad group", signed(t, hs, testSecret, "portal-2026", with("groups", []string{"h r"})), `group name "h r"`},
		{"groups not strings", signed(t, hs, testSecret, "portal-2026", with("groups", 7)), "malformed"},
		{"too many groups", signed(t, hs, testSecret, "portal-2026", with("groups", manyGroups(65))), "65 groups; the limit is 64"},
		{"bad filter date", signed(t, hs, testSecret, "portal-2026", with("filter", map[string]any{"from": "last week"})), `filter date "last week"`},
		{"malformed", "not.a.jwt", "malformed"},
		{"two parts", "abc.def", "malformed"},
		{"too long", strings.Repeat("a", 9000), "longer than 8192 bytes"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			for _, via := range []string{"header", "param"} {
				var rec *httptest.ResponseRecorder
				if via == "header" {
					rec = get(t, srv, "/api/search?q=zorbulent", tt.token)
				} else {
					rec = get(t, srv, "/api/search?q=zorbulent&token="+url.QueryEscape(tt.token), "")
				}
				var e errorJSON
				if rec.Code != http.StatusUnauthorized || json.Unmarshal(rec.Body.Bytes(), &e) != nil || e.Error.Code != "invalid_token" || !strings.Contains(e.Error.Message, tt.want) {
					t.Errorf("via %s: %d %s, want 401 invalid_token saying %q", via, rec.Code, rec.Body, tt.want)
				}
				for _, secret := range [][]byte{testSecret, testSecret2, []byte(base64.StdEncoding.EncodeToString(pub))} {
					if strings.Contains(rec.Body.String(), string(secret)) {
						t.Errorf("the answer shows a key: %s", rec.Body)
					}
				}
			}
		})
	}
	// Within the skew, and valid ones of every kid (key rotation: both HS256 kids at once).
	for name, tok := range map[string]string{
		"nbf within 60 s":   signed(t, hs, testSecret, "portal-2026", with("nbf", now.Add(30*time.Second).Unix())),
		"expired within 60": signed(t, hs, testSecret, "portal-2026", with("exp", now.Add(-30*time.Second).Unix())),
		"kid portal-2025":   signed(t, hs, testSecret2, "portal-2025", valid()),
		"kid sso (EdDSA)":   signed(t, jwt.SigningMethodEdDSA, priv, "sso", valid()),
		"aud among several": signed(t, hs, testSecret, "portal-2026", with("aud", []string{"other", "folio-intranet"})),
	} {
		rec := get(t, srv, "/api/search?q=zorbulent", tok)
		var r searchJSON
		if rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &r) != nil || r.Total != 1 {
			t.Errorf("%s: %d %s, want hr-payroll found", name, rec.Code, rec.Body)
		}
	}
	// A kid that left the configuration no longer verifies.
	o := Options{TokenKeys: testTokenKeys()[:1]}
	old := New(accessIndex(t), o, nil)
	if rec := get(t, old, "/api/search", signed(t, hs, testSecret2, "portal-2025", valid())); rec.Code != http.StatusUnauthorized || !strings.Contains(rec.Body.String(), "unknown kid") {
		t.Errorf("a retired kid: %d %s", rec.Code, rec.Body)
	}
}

func manyGroups(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprint("g", i)
	}
	return out
}

// TestTokenPolicy: without keys a token is refused and readers see the
// public articles; require_token refuses requests without one; search
// keys still apply on top of tokens; the admin routes ignore tokens.
func TestTokenPolicy(t *testing.T) {
	ix := accessIndex(t, "hr-")
	noKeys := New(ix, DefaultOptions(), nil)
	if rec := get(t, noKeys, "/api/search?q=zorbulent", hsToken(t, "hr")); rec.Code != http.StatusUnauthorized || !strings.Contains(rec.Body.String(), "verifies no tokens") {
		t.Errorf("a token without token keys: %d %s", rec.Code, rec.Body)
	}
	if rec := get(t, noKeys, "/api/search?q=zorbulent", ""); rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"total":0`) {
		t.Errorf("no token, no keys: %d %s, want nothing found", rec.Code, rec.Body)
	}
	required := accessServer(ix, Options{RequireToken: true})
	for _, target := range []string{"/api/search", "/api/articles/cafeteria", "/api/suggest?q=caf", "/api/related/cafeteria"} {
		rec := get(t, required, target, "")
		if rec.Code != http.StatusUnauthorized || !strings.Contains(rec.Body.String(), `"code":"token_required"`) {
			t.Errorf("%s without a token under require_token: %d %s", target, rec.Code, rec.Body)
		}
		if rec := get(t, required, target, hsToken(t, "eng")); rec.Code != http.StatusOK {
			t.Errorf("%s with a token under require_token: %d %s", target, rec.Code, rec.Body)
		}
	}
	if rec := get(t, required, "/healthz", ""); rec.Code != http.StatusOK {
		t.Errorf("/healthz under require_token: %d", rec.Code)
	}
	keyed := accessServer(ix, Options{SearchKeys: []SearchKey{{Key: "search-key-0123456789"}}})
	if rec := get(t, keyed, "/api/search?q=zorbulent", hsToken(t, "hr")); rec.Code != http.StatusUnauthorized {
		t.Errorf("a token without the search key: %d %s, want 401", rec.Code, rec.Body)
	}
	req := httptest.NewRequest(http.MethodGet, "/api/search?q=zorbulent", nil)
	req.Header.Set("Authorization", "Bearer search-key-0123456789")
	req.Header.Set(HeaderToken, hsToken(t, "hr"))
	rec := httptest.NewRecorder()
	keyed.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"total":1`) {
		t.Errorf("search key and token: %d %s", rec.Code, rec.Body)
	}
	admin := accessServer(ix, Options{AdminKeys: []string{"admin-key-0123456789abcdef"}})
	for _, target := range []string{"/api/admin/sources", "/api/admin/analytics/queries"} {
		if rec := get(t, admin, target, hsToken(t, "hr")); rec.Code != http.StatusUnauthorized {
			t.Errorf("%s with a reader token and no admin key: %d %s, want 401", target, rec.Code, rec.Body)
		}
	}
}

// TestTokenSubRecorded: the verified token's sub reaches the analytics
// record when analytics.record_users is on, and never otherwise.
func TestTokenSubRecorded(t *testing.T) {
	for _, users := range []bool{true, false} {
		db, err := analytics.Open(analytics.File(t.TempDir()), time.Second)
		if err != nil {
			t.Fatal(err)
		}
		rec := analytics.NewRecorder(db, analytics.Options{RecordUsers: users})
		o := DefaultOptions()
		o.Analytics = rec
		srv := accessServer(accessIndex(t, "hr-"), o)
		if w := get(t, srv, "/api/search?q=zorbulent", hsToken(t, "hr")); w.Code != http.StatusOK {
			t.Fatalf("%d %s", w.Code, w.Body)
		}
		if err := rec.Flush(context.Background()); err != nil {
			t.Fatal(err)
		}
		var subs []string
		if err := db.Scan(analytics.Range{}, func(s analytics.Search, _ []analytics.Click) error {
			subs = append(subs, s.Sub)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		want := ""
		if users {
			want = "user-hr"
		}
		if len(subs) != 1 || subs[0] != want {
			t.Errorf("record_users %v: recorded subs %q, want [%q]", users, subs, want)
		}
		rec.Close()
		db.Close()
	}
}
