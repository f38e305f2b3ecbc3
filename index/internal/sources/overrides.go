package sources

import "hash/fnv"

// API writes over ids that came from files ("overrides"). The later write
// wins: an API put or delete of such an id is recorded as a bleve internal
// key in the same batch as the write, and holds until Folio reads the
// article's file again with other content than it had when it was last
// read before the write. Sync re-reads only changed files and drops the
// overrides of the ids of every file it re-reads or finds gone; Rebuild
// reads every file and re-applies the overrides whose file is unchanged.
const overridePrefix = "folio_api/"

// Override values: what the API did last.
var (
	OverridePut    = []byte("put")    // the API put the article
	OverrideDelete = []byte("delete") // the API deleted the article
)

// OverrideKey is the internal key of the override of id.
func OverrideKey(id string) []byte { return []byte(overridePrefix + id) }

// OverrideOf is the override value that an API write records: a delete
// when deleted, else a put.
func OverrideOf(deleted bool) []byte {
	if deleted {
		return OverrideDelete
	}
	return OverridePut
}

// IDSet is a set of article ids by their 64-bit FNV-1a hash: 8 bytes per
// id instead of the id. A collision only records an override nobody reads.
type IDSet map[uint64]struct{}

func hashID(id string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(id))
	return h.Sum64()
}

// NewIDSet is the set of ids the files of st produced.
func NewIDSet(st State) *IDSet {
	s := IDSet{}
	for _, f := range st.Files {
		for _, id := range f.IDs {
			s[hashID(id)] = struct{}{}
		}
	}
	return &s
}

// Has reports whether id is in s.
func (s IDSet) Has(id string) bool {
	_, ok := s[hashID(id)]
	return ok
}
