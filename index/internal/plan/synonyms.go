package plan

import (
	"strconv"

	"github.com/blevesearch/bleve/v2/search/query"
)

// SynonymIDPrefix begins the reserved ids of the synonym definitions that
// bleve stores as documents of each shard (see index/synonyms.go).
const SynonymIDPrefix = "_folio_synonym_"

// SynonymID is the reserved document id of synonym group i (0-based).
func SynonymID(i int) string { return SynonymIDPrefix + strconv.Itoa(i) }

// withoutSynonyms excludes the synonym documents from q (they match match-all).
func (pl *Planner) withoutSynonyms(q query.Query) query.Query {
	if pl.Synonyms == 0 {
		return q
	}
	ids := make([]string, pl.Synonyms)
	for i := range ids {
		ids[i] = SynonymID(i)
	}
	return query.NewBooleanQuery([]query.Query{q}, nil, []query.Query{query.NewDocIDQuery(ids)})
}
