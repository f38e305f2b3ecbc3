package plan

import (
	"strings"
	"testing"
	"time"

	"github.com/folio-search/folio/index/article"
)

func TestRangeBounds(t *testing.T) {
	p := article.DefaultDateParser()
	start, end, err := rangeBounds(p, "Dec 4, 2024", "Dec 4, 2024")
	if err != nil {
		t.Fatal(err)
	}
	if !start.Equal(time.Date(2024, 12, 4, 0, 0, 0, 0, time.UTC)) || !end.Equal(time.Date(2024, 12, 5, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("whole day bounds = %v .. %v", start, end)
	}
	if _, _, err := rangeBounds(p, "2024-12-05", "2024-12-04"); err == nil || err.Error() != "from: from (2024-12-05) is after to (2024-12-04)" {
		t.Errorf("from after to: %v", err)
	}
	if _, _, err := rangeBounds(p, "", "nope"); err == nil || !strings.HasPrefix(err.Error(), `to: unrecognised date "nope"`) {
		t.Errorf("bad to: %v", err)
	}
}
