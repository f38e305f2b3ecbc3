// Command expand writes a JSON Lines corpus replayed N times, for scale
// tests: copy k (from 0) keeps every field of each article but gets the id
// suffix "-x<k>" (none for copy 0) and its date shifted by k years, so ids
// stay unique and date filters still select one copy's worth of a range. The
// output is deterministic (gzip without a timestamp), byte for byte.
//
//	go run ./cmd/expand -scale 10 -out /tmp/reuters-x10.jsonl.gz ../shared/corpora/reuters21578/articles.jsonl.gz
package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "expand:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("expand", flag.ContinueOnError)
	fs.SetOutput(stderr)
	scale := fs.Int("scale", 1, "number of copies of the corpus (1 or more)")
	out := fs.String("out", "", "output file (.jsonl or .jsonl.gz); - for standard output")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 || *out == "" || *scale < 1 {
		return errors.New("usage: expand -scale N -out FILE CORPUS.jsonl[.gz]")
	}
	src := fs.Arg(0)
	var w io.Writer = stdout
	var f *os.File
	if *out != "-" {
		var err error
		if f, err = os.Create(*out + ".tmp"); err != nil {
			return err
		}
		defer os.Remove(*out + ".tmp")
		defer f.Close()
		w = f
	}
	bw := bufio.NewWriterSize(w, 1<<20)
	var zw *gzip.Writer
	dst := io.Writer(bw)
	if strings.HasSuffix(*out, ".gz") {
		zw = gzip.NewWriter(bw) // no Name, no ModTime: deterministic
		dst = zw
	}
	n := 0
	for k := range *scale {
		c, err := copyOnce(ctx, src, k, dst)
		n += c
		if err != nil {
			return err
		}
	}
	if zw != nil {
		if err := zw.Close(); err != nil {
			return err
		}
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	if f != nil {
		if err := f.Close(); err != nil {
			return err
		}
		if err := os.Rename(*out+".tmp", *out); err != nil {
			return err
		}
	}
	fmt.Fprintf(stderr, "expand: wrote %d articles (%d× %s)\n", n, *scale, src)
	return nil
}

// copyOnce writes copy k of every line of src to w and returns the count.
func copyOnce(ctx context.Context, src string, k int, w io.Writer) (int, error) {
	f, err := os.Open(src)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	var r io.Reader = f
	if strings.HasSuffix(src, ".gz") {
		zr, err := gzip.NewReader(f)
		if err != nil {
			return 0, fmt.Errorf("%s: %w", src, err)
		}
		defer zr.Close()
		r = zr
	}
	br := bufio.NewReaderSize(r, 1<<20)
	n, line := 0, 0
	for {
		b, err := br.ReadBytes('\n')
		if len(bytes.TrimSpace(b)) > 0 {
			line++
			out, cerr := shift(b, k)
			if cerr != nil {
				return n, fmt.Errorf("%s:%d: %w", src, line, cerr)
			}
			if _, err := w.Write(out); err != nil {
				return n, err
			}
			n++
			if n%10000 == 0 && ctx.Err() != nil {
				return n, ctx.Err()
			}
		}
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return n, err
		}
	}
}

// shift returns the JSON line of copy k: id suffixed, date moved k years.
func shift(line []byte, k int) ([]byte, error) {
	if k == 0 {
		return append(bytes.TrimRight(line, "\r\n"), '\n'), nil
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(line, &m); err != nil {
		return nil, err
	}
	var id, date string
	if err := json.Unmarshal(m["id"], &id); err != nil || id == "" {
		return nil, errors.New(`each article needs a string "id"`)
	}
	m["id"], _ = json.Marshal(fmt.Sprintf("%s-x%d", id, k))
	if raw, ok := m["date"]; ok && json.Unmarshal(raw, &date) == nil && date != "" {
		t, err := time.Parse(time.RFC3339, date)
		if err != nil {
			return nil, fmt.Errorf("date %q is not RFC 3339", date)
		}
		m["date"], _ = json.Marshal(t.AddDate(k, 0, 0).Format(time.RFC3339))
	}
	out, err := json.Marshal(m) // keys sorted: deterministic
	return append(out, '\n'), err
}
