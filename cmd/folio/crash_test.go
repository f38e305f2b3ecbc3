package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

var crashCycles = flag.Int("crash.cycles", 20, "kill -9 cycles of TestCrashRecovery (make crash runs 200)")

const crashKey = "crash-test-admin-key-0123456789"

// crashLedger is what the server acknowledged: id → title.
type crashLedger struct {
	mu    sync.Mutex
	acked map[string]string
	last  []string // ids acknowledged in the current cycle
}

func (l *crashLedger) ack(id, title string) {
	l.mu.Lock()
	l.acked[id] = title
	l.last = append(l.last, id)
	l.mu.Unlock()
}

// TestCrashRecovery starts `folio serve` as a subprocess, writes articles
// through the API (single PUTs and NDJSON bulk requests, with rebuilds in
// between), and kills it with SIGKILL at a random moment, again and again.
// After every restart the index must open, the server must answer, and
// every write it acknowledged must be there with its content.
func TestCrashRecovery(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and kills it repeatedly; skipped with -short")
	}
	bin := filepath.Join(t.TempDir(), "folio")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	src := copyAllArticles(t)
	work := t.TempDir()
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d, %d cycles", seed, *crashCycles)
	rng := rand.New(rand.NewPCG(seed, 0))
	addr := freeAddr(t)
	base := "http://" + addr
	env := append(os.Environ(),
		"FOLIO_INDEX_PATH="+filepath.Join(work, "folio.bleve"),
		"FOLIO_INDEX_SOURCES="+src,
		"FOLIO_SERVER_ADDR="+addr,
		"FOLIO_SERVER_ADMIN_KEYS="+crashKey,
		"FOLIO_LOG_LEVEL=warn",
	)
	ledger := &crashLedger{acked: map[string]string{}}
	stderr := &lockedBuffer{}
	start := func() (*exec.Cmd, chan error) {
		cmd := exec.Command(bin, "serve")
		cmd.Dir, cmd.Env = work, env
		stderr.Reset()
		cmd.Stderr = stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		exited := make(chan error, 1)
		go func() { exited <- cmd.Wait() }()
		t.Cleanup(func() {
			if cmd.ProcessState == nil {
				cmd.Process.Kill()
				<-exited
			}
		})
		waitHealthy(t, base, exited)
		return cmd, exited
	}
	client := &http.Client{}
	kills, rebuildKills, bulkKills := 0, 0, 0
	for cycle := 0; cycle <= *crashCycles; cycle++ {
		cmd, exited := start()
		verifyLedger(t, client, base, ledger, rng, cycle, cycle == *crashCycles, stderr)
		if cycle == *crashCycles {
			cmd.Process.Signal(os.Interrupt)
			if err := <-exited; err != nil {
				t.Errorf("final shutdown: %v\n%s", err, stderr.String())
			}
			break
		}
		ledger.last = nil
		// The workload runs until the kill breaks its connections.
		var wg sync.WaitGroup
		var inBulk, inRebuild sync.Mutex
		bulking, rebuilding := false, false
		for w := range 2 {
			wg.Add(1)
			rng := rand.New(rand.NewPCG(rng.Uint64(), uint64(w))) // one generator per worker
			go func(w int) {
				defer wg.Done()
				for k := 0; ; k++ {
					id := fmt.Sprintf("c%03d-w%d-%04d", cycle, w, k)
					var ok bool
					switch r := rng.IntN(10); {
					case r < 4:
						ok = putArticle(client, base, id, "Crash walrus "+id)
						if ok {
							ledger.ack(id, "Crash walrus "+id)
						}
					case r < 9:
						inBulk.Lock()
						bulking = true
						inBulk.Unlock()
						ok = bulkArticles(client, base, id, 50+rng.IntN(400), ledger)
						inBulk.Lock()
						bulking = false
						inBulk.Unlock()
					default:
						inRebuild.Lock()
						rebuilding = true
						inRebuild.Unlock()
						ok = post(client, base+"/api/admin/rebuild")
						inRebuild.Lock()
						rebuilding = false
						inRebuild.Unlock()
					}
					if !ok {
						return
					}
				}
			}(w)
		}
		time.Sleep(time.Duration(20+rng.IntN(600)) * time.Millisecond) // the random moment of the kill, not a wait
		inBulk.Lock()
		if bulking {
			bulkKills++
		}
		inBulk.Unlock()
		inRebuild.Lock()
		if rebuilding {
			rebuildKills++
		}
		inRebuild.Unlock()
		if err := cmd.Process.Kill(); err != nil {
			t.Fatal(err)
		}
		<-exited
		kills++
		wg.Wait()
	}
	// Leftovers of rebuilds killed midway are gone once the index is reopened.
	dirs, err := os.ReadDir(filepath.Join(work, "folio.bleve"))
	if err != nil {
		t.Fatal(err)
	}
	gens := 0
	for _, d := range dirs {
		if d.IsDir() && strings.HasPrefix(d.Name(), "gen-") {
			gens++
		}
	}
	if gens != 1 {
		t.Errorf("%d generation directories in the index after the last restart, want 1", gens)
	}
	t.Logf("%d kill -9 cycles (%d during a bulk request, %d during a rebuild); %d acknowledged articles, all present with their titles after the last restart (samples after each), 0 lost",
		kills, bulkKills, rebuildKills, len(ledger.acked))
}

// verifyLedger checks, after a restart, that the acknowledged articles are
// there with their titles: all of the last cycle's and a sample of the
// older ones (all of them when final), plus the total count.
func verifyLedger(t *testing.T, client *http.Client, base string, l *crashLedger, rng *rand.Rand, cycle int, final bool, stderr *lockedBuffer) {
	t.Helper()
	l.mu.Lock()
	check := append([]string(nil), l.last...)
	all := make([]string, 0, len(l.acked))
	for id := range l.acked {
		all = append(all, id)
	}
	l.mu.Unlock()
	if final {
		check = all
	} else {
		for range min(200, len(all)) {
			check = append(check, all[rng.IntN(len(all))])
		}
	}
	for _, id := range check {
		resp, err := client.Get(base + "/api/articles/" + url.PathEscape(id))
		if err != nil {
			t.Fatalf("cycle %d: GET %s: %v", cycle, id, err)
		}
		var a struct {
			Title string `json:"title"`
		}
		err = json.NewDecoder(resp.Body).Decode(&a)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || err != nil || a.Title != l.acked[id] {
			t.Fatalf("cycle %d: acknowledged article %s lost or changed: status %d, title %q, want %q\nserver log:\n%s", cycle, id, resp.StatusCode, a.Title, l.acked[id], stderr.String())
		}
	}
	resp, err := client.Get(base + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	var h struct {
		Documents int `json:"documents"`
	}
	json.NewDecoder(resp.Body).Decode(&h)
	resp.Body.Close()
	if want := 207 + len(all); h.Documents < want {
		t.Fatalf("cycle %d: %d documents, want at least %d (207 from files + %d acknowledged)", cycle, h.Documents, want, len(all))
	}
}

// putArticle PUTs one article; true if the server acknowledged it.
func putArticle(client *http.Client, base, id, title string) bool {
	body := fmt.Sprintf(`{"title":%q,"body":"Written by the crash test.","date":"2025-06-01"}`, title)
	req, _ := http.NewRequest(http.MethodPut, base+"/api/articles/"+url.PathEscape(id), strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+crashKey)
	resp, err := client.Do(req)
	if err != nil {
		return false
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode == http.StatusCreated || resp.StatusCode == http.StatusOK
}

// bulkArticles sends n NDJSON articles (ids prefix/0…) and records each
// line the server acknowledged, as the results stream back. It returns
// false when the connection broke.
func bulkArticles(client *http.Client, base, prefix string, n int, l *crashLedger) bool {
	pr, pw := io.Pipe()
	go func() {
		bw := bufio.NewWriter(pw)
		for i := range n {
			id := fmt.Sprintf("%s/%d", prefix, i)
			fmt.Fprintf(bw, `{"id":%q,"title":%q,"body":"bulk line %d"}`+"\n", id, "Crash walrus "+id, i)
		}
		bw.Flush()
		pw.Close()
	}()
	req, _ := http.NewRequest(http.MethodPost, base+"/api/articles/_bulk", pr)
	req.Header.Set("Authorization", "Bearer "+crashKey)
	resp, err := client.Do(req)
	if err != nil {
		pr.CloseWithError(err)
		return false
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	results, last := 0, ""
	for sc.Scan() {
		var r struct {
			Line   int    `json:"line"`
			ID     string `json:"id"`
			Status string `json:"status"`
		}
		if json.Unmarshal(sc.Bytes(), &r) == nil && (r.Status == "created" || r.Status == "updated") {
			l.ack(r.ID, "Crash walrus "+r.ID)
		}
		if r.Line > 0 {
			results++
		}
		last = r.Status
	}
	// A complete stream ends with the summary line {"status":"done",...}.
	return sc.Err() == nil && results == n && last == "done"
}

// post POSTs to an admin URL; true on 2xx.
func post(client *http.Client, u string) bool {
	req, _ := http.NewRequest(http.MethodPost, u, nil)
	req.Header.Set("Authorization", "Bearer "+crashKey)
	resp, err := client.Do(req)
	if err != nil {
		return false
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode/100 == 2
}

// lockedBuffer collects the subprocess's stderr; the copier goroutine writes while the test reads.
type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (w *lockedBuffer) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

func (w *lockedBuffer) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.String()
}

func (w *lockedBuffer) Reset() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.b.Reset()
}
