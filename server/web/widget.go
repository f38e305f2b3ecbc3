package web

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"
)

// renderMarker is the line of widget.js where the server inlines render.js,
// the renderer of marked text it shares with the pages.
const renderMarker = "/* render.js */\n"

// assembleWidget returns widget.js as served: the widget source with
// render.js, made a classic script, in place of its renderMarker line. The
// widget is a classic script (pages embed it with <script src>, and it needs
// document.currentScript), so it cannot import the module; inlining it when
// the server starts keeps one copy of the renderer in the sources and the
// served widget one self-contained file.
func assembleWidget(widget, render []byte) ([]byte, error) {
	at := markerLines(widget)
	if len(at) != 1 {
		return nil, fmt.Errorf("static/widget.js: want 1 line %q where static/render.js goes, found %d", strings.TrimSpace(renderMarker), len(at))
	}
	script, err := classicScript("static/render.js", render)
	if err != nil {
		return nil, err
	}
	out := make([]byte, 0, len(widget)+len(script))
	out = append(out, widget[:at[0][0]]...)
	out = append(out, script...)
	return append(out, widget[at[0][1]:]...), nil
}

// markerLines are the start and end offsets of the renderMarker lines of widget.
func markerLines(widget []byte) [][]int {
	return regexp.MustCompile(`(?m)^`+regexp.QuoteMeta(renderMarker)).FindAllIndex(widget, -1)
}

// classicScript returns the ES module src (the file name) as the text of a
// classic script, for inlining into another one: the "export" of its
// top-level function, const, let and class declarations is dropped. Any
// other import or export is an error naming its line: a classic script
// cannot have it.
func classicScript(name string, src []byte) ([]byte, error) {
	decl := regexp.MustCompile(`^export ((async )?function\b|const\b|let\b|class\b)`)
	module := regexp.MustCompile(`^\s*(import|export)\b`)
	var out bytes.Buffer
	for i, line := range bytes.SplitAfter(src, []byte("\n")) {
		if decl.Match(line) {
			line = line[len("export "):]
		}
		if module.Match(line) {
			return nil, fmt.Errorf("%s:%d: only top-level \"export function\", \"export const\", \"export let\" and \"export class\" declarations can be inlined into widget.js: %s",
				name, i+1, bytes.TrimSpace(line))
		}
		out.Write(line)
	}
	return out.Bytes(), nil
}
