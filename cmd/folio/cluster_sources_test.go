package main

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestClusterNewNodesWithSources is the README's quick start, where every
// node has index.sources (there the default, testdata/articles): three new
// nodes naming the same folder start with an empty index that the log
// fills, publish the folder's articles through the log (stored once: the
// log deduplicates the three nodes' identical publishes), and each ends
// with every article and applied_seq equal to the log's last seq; a write
// after that gets the next seq and reaches every node; a fourth node with
// the same sources joining later publishes nothing again (an article the
// API edited meanwhile keeps the edit on every node).
func TestClusterNewNodesWithSources(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and runs three nodes; skipped with -short")
	}
	bin := buildFolio(t)
	src := t.TempDir()
	const n = 5
	for i := range n {
		text := fmt.Sprintf("Title: Sourced walrus %d\nID: sourced-%d\n\nA walrus from the sources, number %d.\n", i, i, i)
		if err := os.WriteFile(filepath.Join(src, fmt.Sprintf("a%d.txt", i)), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	c := newTestCluster(t, bin, 3, "FOLIO_INDEX_SOURCES="+src)
	c.startAll()
	client := &http.Client{Timeout: 20 * time.Second}

	deadline := time.Now().Add(60 * time.Second)
	for _, nd := range c.nodes {
		for {
			st, code := readyOf(client, nd)
			if code == http.StatusOK && st.Documents == n && st.LogLastSeq == n && st.AppliedSeq == n {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: /readyz %d %+v; want %d documents, applied_seq = log_last_seq = %d (each source article once in the log)\n%s", nd.name, code, st, n, n, nd.stderr.String())
			}
			time.Sleep(200 * time.Millisecond)
		}
		for i := range n {
			if got := articleTitle(t, client, nd, fmt.Sprintf("sourced-%d", i), n); got != fmt.Sprintf("Sourced walrus %d", i) {
				t.Fatalf("%s: sourced-%d has title %q", nd.name, i, got)
			}
		}
	}
	status, seq := clusterWrite(client, c.nodes[0], "after-sources", "After walrus")
	if status/100 != 2 || seq != n+1 {
		t.Fatalf("write after the sources: %d, seq %d; want 2xx at seq %d", status, seq, n+1)
	}
	for _, nd := range c.nodes {
		if got := articleTitle(t, client, nd, "after-sources", seq); got != "After walrus" {
			t.Fatalf("%s: after-sources at min_seq=%d has title %q", nd.name, seq, got)
		}
	}

	// A fourth node with the same sources joins later: it reads them from
	// the log and does not publish them again over an article the API changed.
	status, edited := clusterWrite(client, c.nodes[0], "sourced-0", "Edited walrus")
	if status/100 != 2 {
		t.Fatalf("edit of sourced-0 through the API: %d", status)
	}
	nd, _ := c.join(t, "node4", "", "FOLIO_INDEX_SOURCES="+src)
	deadline = time.Now().Add(60 * time.Second)
	for !strings.Contains(nd.stderr.String(), "index.sources are read from it") {
		if time.Now().After(deadline) {
			t.Fatalf("node4 did not say where its sources come from:\n%s", nd.stderr.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
	// Once node4 has applied the log, a write through it takes the next
	// seq: nothing was published in between, and the edit stands everywhere.
	for st, _ := readyOf(client, nd); st.AppliedSeq < edited; st, _ = readyOf(client, nd) {
		if time.Now().After(deadline) {
			t.Fatalf("node4 did not apply the log up to seq %d: %+v", edited, st)
		}
		time.Sleep(100 * time.Millisecond)
	}
	status, after := clusterWrite(client, nd, "after-join", "Joined walrus")
	if status/100 != 2 || after != edited+1 {
		t.Errorf("write through node4 after it joined: %d, seq %d; want 2xx at seq %d (nothing published again)", status, after, edited+1)
	}
	for _, nd := range c.nodes {
		if got := articleTitle(t, client, nd, "sourced-0", after); got != "Edited walrus" {
			t.Errorf("%s: sourced-0 has title %q after node4 joined, want the API's edit", nd.name, got)
		}
	}
}
