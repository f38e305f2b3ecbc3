package main

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/folio-search/folio/index"
)

func TestFormatSummary(t *testing.T) {
	tests := []struct {
		name string
		sum  index.IngestSummary
		want string
	}{
		{
			name: "skips and ignored fields",
			sum: index.IngestSummary{
				Files: 1, Indexed: 21577, Skipped: 3,
				SkippedByReason: map[string]int{"invalid JSON": 1, "bad date": 2},
				IgnoredFields:   []string{"places", "topics"},
				Elapsed:         3200 * time.Millisecond,
			},
			want: "indexed 21,577 new, 0 updated, 3 skipped (2 bad date, 1 invalid JSON) from 1 file in 3.2s (6,742 docs/s); ignored fields: places, topics",
		},
		{
			name: "clean update",
			sum:  index.IngestSummary{Files: 4, Updated: 4, SkippedByReason: map[string]int{}, Elapsed: 12345 * time.Microsecond},
			want: "indexed 0 new, 4 updated, 0 skipped from 4 files in 12ms (324 docs/s)",
		},
		{
			name: "equal counts sort by reason",
			sum:  index.IngestSummary{Files: 2, Skipped: 2, SkippedByReason: map[string]int{"missing title": 1, "bad date": 1}},
			want: "indexed 0 new, 0 updated, 2 skipped (1 bad date, 1 missing title) from 2 files in 0s (0 docs/s)",
		},
		{
			name: "files and URL sources",
			sum: index.IngestSummary{Files: 12, Updated: 3, Fetched: 4, NotModified: 118, Unchanged: 9, SkippedByReason: map[string]int{},
				URLSources: []index.SourceStats{{Source: "https://intranet.example/sitemap.xml"}}, Elapsed: 2100 * time.Millisecond},
			want: "indexed 0 new, 3 updated, 0 skipped from 12 files and 1 URL source (4 fetched, 118 not modified) in 2.1s (1 docs/s); 9 unchanged files not read, 0 deleted",
		},
		{
			name: "URL sources only",
			sum: index.IngestSummary{Indexed: 2, Fetched: 3, SkippedByReason: map[string]int{},
				URLSources: []index.SourceStats{{Source: "https://a.example/feed.xml"}, {Source: "https://b.example/"}}, Elapsed: time.Second},
			want: "indexed 2 new, 0 updated, 0 skipped from 2 URL sources (3 fetched, 0 not modified) in 1s (2 docs/s)",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, formatSummary(tt.sum)); diff != "" {
				t.Errorf("formatSummary (-want +got):\n%s", diff)
			}
		})
	}
}

func TestProgressBar(t *testing.T) {
	tests := []struct {
		name string
		p    index.Progress
		want string
	}{
		{
			name: "midway",
			p:    index.Progress{Files: 20, FilesDone: 3, Bytes: 1000, BytesDone: 520, Docs: 11203, Elapsed: 1379 * time.Millisecond},
			want: "[##########----------]  52%  11,203 docs  8,124 docs/s  3/20 files",
		},
		{
			name: "start",
			p:    index.Progress{Files: 1},
			want: "[--------------------]   0%  0 docs  0 docs/s  0/1 files",
		},
		{
			name: "done",
			p:    index.Progress{Files: 1, FilesDone: 1, Docs: 5, Elapsed: time.Second, Done: true},
			want: "[####################] 100%  5 docs  5 docs/s  1/1 files",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, progressBar(tt.p)); diff != "" {
				t.Errorf("progressBar (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRenderSnippet(t *testing.T) {
	tests := []struct {
		name      string
		in        string
		plain, tt string // without and with a terminal
	}{
		{
			name:  "marks and entities",
			in:    "the <mark>Diamond</mark> &amp; <mark>Hexagon</mark> &lt;b&gt;",
			plain: "the Diamond & Hexagon <b>",
			tt:    "the \x1b[1;33mDiamond\x1b[0m & \x1b[1;33mHexagon\x1b[0m <b>",
		},
		{
			name:  "control characters and newlines",
			in:    "line one\r\n\tline &#27;[31mtwo",
			plain: "line one line [31mtwo",
			tt:    "line one line [31mtwo",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.plain, renderSnippet(tt.in, false)); diff != "" {
				t.Errorf("plain (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.tt, renderSnippet(tt.in, true)); diff != "" {
				t.Errorf("terminal (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCommas(t *testing.T) {
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", 21577: "21,577", 1234567: "1,234,567", -4321: "-4,321"} {
		if got := commas(n); got != want {
			t.Errorf("commas(%d) = %q, want %q", n, got, want)
		}
	}
}
