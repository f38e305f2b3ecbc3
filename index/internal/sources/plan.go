package sources

import "slices"

// Plan is what one sync works out from the state of the last one: the
// state to save (Next) and what changed.
type Plan struct {
	Old     State           // the state of the last sync
	Next    State           // the state once the sync succeeds
	Touched bool            // an unchanged file got a new mtime
	roots   []string        // the absolute paths synced
	keep    map[string]bool // ids still held by unchanged files
	read    map[string]bool // absolute paths of the files read
	written map[string]bool // ids the files read produced
}

// NewPlan is the plan of a sync of roots (absolute paths) after the one that saved old.
func NewPlan(old State, roots []string) *Plan {
	return &Plan{Old: old, roots: roots,
		Next: State{Inputs: MergeInputs(old.Inputs, roots), Files: map[string]FileState{}},
		keep: map[string]bool{}, read: map[string]bool{}, written: map[string]bool{}}
}

// SelectChanged returns the files that are new or changed (other size or
// modification time, and other content, or other default groups) and the
// number of the others: unchanged files keep their state and their ids.
func (p *Plan) SelectChanged(files []File) (changed []File, unchanged int) {
	for _, f := range files {
		abs := AbsPath(f.Path)
		old, ok := p.Old.Files[abs]
		if ok && !slices.Equal(old.Groups, f.Groups) {
			changed = append(changed, f)
			continue
		}
		if ok && old.Size == f.Size && old.MTime == f.MTime {
			p.Next.Files[abs] = old
		} else if ok && old.Size == f.Size && old.Hash != "" && HashFile(f.Path) == old.Hash {
			old.MTime = f.MTime
			p.Next.Files[abs] = old
			p.Touched = true
		} else {
			changed = append(changed, f)
			continue
		}
		unchanged++
		for _, id := range old.IDs {
			p.keep[id] = true
		}
	}
	return changed, unchanged
}

// RecordRead puts the files read, with what reading them produced, into
// the next state and returns their ids: their file is the later write.
func (p *Plan) RecordRead(files []File, results []FileResult) []string {
	var reread []string
	for i, f := range files {
		reread = append(reread, results[i].IDs...)
		p.read[AbsPath(f.Path)] = true
		r := results[i]
		fs := FileState{Size: f.Size, MTime: f.MTime, Hash: r.Hash, IDs: r.IDs, Groups: f.Groups}
		if r.Problem {
			fs.Size = -1
		}
		p.Next.Files[AbsPath(f.Path)] = fs
		for _, id := range r.IDs {
			p.written[id] = true
		}
	}
	return reread
}

// Stale returns the ids of the articles of files that were re-read or
// disappeared and that no current file holds any more (to delete), and
// the ids such files held (their file is the later write). Files outside
// the synced paths belong to another sync's paths and keep their state.
func (p *Plan) Stale() (del []string, gone []string) {
	for abs, old := range p.Old.Files {
		if !p.covers(abs, old) {
			p.Next.Files[abs] = old // another sync's paths: not ours to judge
			continue
		}
		if _, unchanged := p.Next.Files[abs]; unchanged && !p.read[abs] {
			continue
		}
		gone = append(gone, old.IDs...)
		for _, id := range old.IDs {
			if !p.written[id] && !p.keep[id] {
				del = append(del, id)
			}
		}
	}
	return del, gone
}

// covers reports whether the state entry key (old) belongs to the synced
// paths: a file under one of them, or a document found from one of the
// synced URL sources.
func (p *Plan) covers(key string, old FileState) bool {
	if old.Source != "" {
		return slices.Contains(p.roots, old.Source)
	}
	return Under(key, p.roots)
}

// Keep keeps the document key of a URL source with its articles, as read
// before (not modified, or not readable now): fs is its entry, with what
// the request learnt (a new lastmod, ETag).
func (p *Plan) Keep(key string, fs FileState) {
	p.Next.Files[key] = fs
	for _, id := range fs.IDs {
		p.keep[id] = true
	}
}

// RecordDoc puts the document key of a URL source, read now, into the next
// state and returns its ids: its content is the later write. A document
// that had problems is read again next time.
func (p *Plan) RecordDoc(key string, fs FileState, problem bool) []string {
	p.read[key] = true
	if problem {
		fs.Size = -1
	}
	p.Next.Files[key] = fs
	for _, id := range fs.IDs {
		p.written[id] = true
	}
	return fs.IDs
}
