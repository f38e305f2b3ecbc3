package article

import (
	"strings"
	"testing"
)

func TestReadSynonymsErrors(t *testing.T) {
	_, err := ReadSynonyms(strings.NewReader("a, b\nlonely\n"), "syn.txt")
	if err == nil || !strings.HasPrefix(err.Error(), `syn.txt:2: "lonely" has fewer than two terms`) {
		t.Errorf("got %v", err)
	}
}
