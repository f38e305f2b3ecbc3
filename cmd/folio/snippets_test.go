package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// snippetSecret is the hs256 secret of kid portal-2026 in TestTokenSnippets.
const snippetSecret = "snippet-secret-0123456789abcdef0123456789"

// TestTokenSnippets runs the token-minting snippets of docs/access.md
// (Go with golang-jwt, Python with PyJWT, Node.js with jsonwebtoken) with
// an hs256 secret and searches with each token: the hr reader they mint
// sees the hr article, and a token signed with another secret is refused.
// Python and Node.js need PyJWT (Debian's python3-jwt) and jsonwebtoken
// (`npm install jsonwebtoken`, found through NODE_PATH): outside CI a
// missing one skips its part; with FOLIO_SNIPPET_TESTS=required (.ci/run)
// it fails.
func TestTokenSnippets(t *testing.T) {
	doc, err := os.ReadFile("../../docs/access.md")
	if err != nil {
		t.Fatal(err)
	}
	cfg := isolate(t)
	if err := os.WriteFile(cfg, []byte("server:\n  token_keys: [\"portal-2026: hs256:"+snippetSecret+"\"]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	ix := filepath.Join(t.TempDir(), "folio.bleve")
	mustRun(t, "--config", cfg, "index", "--index", ix, "../../testdata/access")
	for _, lang := range []struct {
		name, heading, fence string
		mint                 func(t *testing.T, code, secret string) string
	}{
		{"Go", "**Go** (`github.com/golang-jwt/jwt/v5`)", "go", mintGo},
		{"Python", "**Python** (PyJWT)", "python", mintPython},
		{"Node.js", "**Node.js** (`jsonwebtoken`)", "js", mintNode},
	} {
		t.Run(lang.name, func(t *testing.T) {
			code := fencedAfter(t, string(doc), lang.heading, lang.fence)
			token := lang.mint(t, code, snippetSecret)
			if resp := searchJSON(t, "--config", cfg, "--token", token, "--index", ix, "zorbulent"); resp.Total != 1 {
				t.Errorf("search zorbulent with the %s token (groups hr): total %d, want 1 (hr-payroll)", lang.name, resp.Total)
			}
			other := lang.mint(t, code, snippetSecret+"-other")
			_, _, err := runCLI(t, "--config", cfg, "search", "--index", ix, "--token", other, "zorbulent")
			if err == nil || !strings.Contains(err.Error(), "bad signature") {
				t.Errorf("search with a %s token signed with another secret: %v, want bad signature", lang.name, err)
			}
		})
	}
}

// fencedAfter is the code of the first ```fence block after heading in doc.
func fencedAfter(t *testing.T, doc, heading, fence string) string {
	t.Helper()
	i := strings.Index(doc, heading)
	if i < 0 {
		t.Fatalf("docs/access.md has no %q", heading)
	}
	rest := doc[i:]
	open := "```" + fence + "\n"
	j := strings.Index(rest, open)
	if j < 0 {
		t.Fatalf("docs/access.md: no ```%s block after %q", fence, heading)
	}
	code := rest[j+len(open):]
	end := strings.Index(code, "```")
	if end < 0 {
		t.Fatalf("docs/access.md: the ```%s block after %q is not closed", fence, heading)
	}
	return code[:end]
}

// snippetTool returns the first of the commands that runs check without
// error, or skips the test (fails it with FOLIO_SNIPPET_TESTS=required).
func snippetTool(t *testing.T, what string, check []string, candidates ...string) string {
	t.Helper()
	for _, c := range candidates {
		if err := exec.Command(c, check...).Run(); err == nil {
			return c
		}
	}
	msg := fmt.Sprintf("%s not found (tried %s)", what, strings.Join(candidates, ", "))
	if os.Getenv("FOLIO_SNIPPET_TESTS") == "required" {
		t.Fatalf("%s; FOLIO_SNIPPET_TESTS=required", msg)
	}
	t.Skipf("SKIPPED: %s; the snippet is not checked", msg)
	return ""
}

// runSnippet runs cmd in dir and returns its standard output, trimmed.
func runSnippet(t *testing.T, dir string, env []string, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, stderr.String())
	}
	return strings.TrimSpace(stdout.String())
}

// mintGo builds the Go snippet in a module of its own requiring the
// golang-jwt version of Folio's go.mod (from the module cache).
func mintGo(t *testing.T, code, secret string) string {
	dir := t.TempDir()
	var req, sum []string
	for _, f := range []struct {
		file string
		out  *[]string
	}{{"../../go.mod", &req}, {"../../go.sum", &sum}} {
		b, err := os.ReadFile(f.file)
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(string(b), "\n") {
			if strings.Contains(line, "github.com/golang-jwt/jwt/v5 ") {
				*f.out = append(*f.out, strings.TrimSpace(strings.TrimSuffix(line, "// indirect")))
			}
		}
	}
	if len(req) != 1 {
		t.Fatalf("go.mod requires golang-jwt/jwt/v5 %d times, want once", len(req))
	}
	files := map[string]string{
		"go.mod": "module snippet\n\ngo 1.22\n\nrequire " + req[0] + "\n",
		"go.sum": strings.Join(sum, "\n") + "\n",
		"main.go": "package main\n\nimport (\n\t\"fmt\"\n\t\"time\"\n\n\t\"github.com/golang-jwt/jwt/v5\"\n)\n\nfunc main() {\n\tsecret := " +
			fmt.Sprintf("%q", secret) + "\n" + code + "\tif err != nil {\n\t\tpanic(err)\n\t}\n\tfmt.Println(s)\n}\n",
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return runSnippet(t, dir, []string{"GOWORK=off", "GOFLAGS=-mod=mod"}, "go", "run", ".")
}

// mintPython runs the Python snippet with an interpreter that has PyJWT.
func mintPython(t *testing.T, code, secret string) string {
	py := snippetTool(t, "a Python 3 with PyJWT (python3-jwt)", []string{"-c", "import jwt"}, "python3", "/usr/bin/python3")
	script := fmt.Sprintf("secret = %q\n", secret) + code + "print(s)\n"
	return runSnippet(t, t.TempDir(), nil, py, "-c", script)
}

// mintNode runs the Node.js snippet (jsonwebtoken through NODE_PATH).
func mintNode(t *testing.T, code, secret string) string {
	node := snippetTool(t, "Node.js with jsonwebtoken (NODE_PATH)", []string{"-e", `require("jsonwebtoken")`}, "node", "nodejs")
	script := fmt.Sprintf("const secret = %q;\n", secret) + code + "console.log(s);\n"
	return runSnippet(t, t.TempDir(), nil, node, "-e", script)
}
