package server

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/folio-search/folio/index"
)

// blockingIndex is an index whose Search waits until the test releases it.
func blockingIndex() (ix *fakeIndex, entered <-chan struct{}, release chan<- struct{}) {
	in, out := make(chan struct{}), make(chan struct{})
	ix = &fakeIndex{search: func(ctx context.Context, q index.Query) (*index.Result, error) {
		close(in)
		<-out
		return &index.Result{Query: q.Text, Page: 1, Size: 10}, nil
	}}
	return ix, in, out
}

func TestServeFinishesInFlightRequests(t *testing.T) {
	ix, entered, release := blockingIndex()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	served := make(chan error, 1)
	go func() { served <- New(ix, DefaultOptions(), nil).Serve(ctx, ln) }()

	type reply struct {
		status int
		body   string
		err    error
	}
	replied := make(chan reply, 1)
	go func() {
		resp, err := http.Get("http://" + ln.Addr().String() + "/api/search?q=x")
		if err != nil {
			replied <- reply{err: err}
			return
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		replied <- reply{resp.StatusCode, string(b), err}
	}()

	<-entered // the request is in the handler
	cancel()  // ask Serve to stop
	close(release)

	r := <-replied
	if r.err != nil || r.status != http.StatusOK {
		t.Fatalf("in-flight request: status %d, err %v, body %s; want 200", r.status, r.err, r.body)
	}
	if err := <-served; err != nil {
		t.Fatalf("Serve = %v, want nil after a clean shutdown", err)
	}
	if c, err := net.Dial("tcp", ln.Addr().String()); err == nil {
		c.Close()
		t.Errorf("the listener still accepts connections after Serve returned")
	}
}

func TestServeShutdownTimeout(t *testing.T) {
	ix, entered, release := blockingIndex()
	defer close(release)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	served := make(chan error, 1)
	opts := DefaultOptions()
	opts.ShutdownTimeout = time.Nanosecond
	go func() { served <- New(ix, opts, nil).Serve(ctx, ln) }()

	failed := make(chan error, 1)
	go func() {
		resp, err := http.Get("http://" + ln.Addr().String() + "/api/search?q=x")
		if err == nil {
			resp.Body.Close()
		}
		failed <- err
	}()
	<-entered
	cancel()
	if err := <-served; !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Serve = %v, want an error wrapping context.DeadlineExceeded", err)
	}
	if err := <-failed; err == nil {
		t.Errorf("the request cut off by the shutdown timeout succeeded")
	}
}
