//go:build unix

package server

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// A named pipe among the sources neither hangs POST /api/admin/sync nor
// /rebuild: both answer, and the file beside the pipe is indexed.
func TestAdminSyncAndRebuildSkipNamedPipe(t *testing.T) {
	src := t.TempDir()
	if err := os.WriteFile(filepath.Join(src, "okapi.txt"), []byte("Title: Okapi beside a pipe\n\nAn okapi."), 0o644); err != nil {
		t.Fatal(err)
	}
	pipe := filepath.Join(src, "pipe.jsonl")
	if err := syscall.Mkfifo(pipe, 0o644); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	t.Cleanup(func() { // frees a reader still waiting on the pipe (the bug)
		if f, err := os.OpenFile(pipe, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
			f.Close()
		}
	})
	srv, _ := writableServer(t, Options{Sources: []string{src}})
	for _, path := range []string{"/api/admin/sync", "/api/admin/rebuild"} {
		done := make(chan *httptest.ResponseRecorder, 1)
		go func() {
			rec := httptest.NewRecorder()
			req := httptest.NewRequest(http.MethodPost, path, nil)
			req.Header.Set("Authorization", "Bearer "+adminKey)
			srv.ServeHTTP(rec, req)
			done <- rec
		}()
		select {
		case rec := <-done:
			if rec.Code != http.StatusOK {
				t.Errorf("%s: %d %s", path, rec.Code, rec.Body)
			}
		case <-time.After(20 * time.Second): // bounds the broken case only
			t.Fatalf("%s did not answer: blocked on the named pipe", path)
		}
		if got := ids(search(t, srv, "q=okapi").Hits); !cmp.Equal(got, []string{"okapi"}) {
			t.Errorf("okapi hits after %s = %v", path, got)
		}
	}
}
