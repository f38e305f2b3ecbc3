package analytics

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"
)

// Store keeps the records. *DB is the real one; tests wrap it (a store
// whose Write blocks shows that a full buffer never blocks a search).
type Store interface {
	// Write stores a batch of searches and clicks; a click whose search is
	// not stored (unknown, expired or dropped) is ignored. It returns the
	// numbers stored.
	Write(searches []Search, clicks []Click) (nSearches, nClicks int, err error)
	// Scan calls fn, in time order, for each search made in r with its clicks.
	Scan(r Range, fn func(Search, []Click) error) error
	// Delete removes the searches made before t, with their clicks, and
	// returns how many searches it removed.
	Delete(before time.Time) (int, error)
}

// Range is a span of time [From, To); a zero bound is open.
type Range struct{ From, To time.Time }

var (
	searchesBucket = []byte("searches") // key → Search JSON
	clicksBucket   = []byte("clicks")   // key of the search + 8-byte sequence → Click JSON
)

// DB is the bbolt file of the analytics records, outside the index's
// generations so that rebuilds keep it.
type DB struct{ db *bolt.DB }

var _ Store = (*DB)(nil)

// File is the path of the analytics store of the index directory indexPath.
func File(indexPath string) string { return filepath.Join(indexPath, Dir, "analytics.db") }

// ErrLocked is returned by Open when another process holds the store.
var ErrLocked = errors.New("the analytics store is in use by another process (a running `folio serve`?)")

// Open opens (creating when needed) the store at path, waiting at most
// wait for another process to release it.
func Open(path string, wait time.Duration) (*DB, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("analytics: %w", err)
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: wait})
	if errors.Is(err, bolterrors.ErrTimeout) {
		return nil, fmt.Errorf("%s: %w", path, ErrLocked)
	}
	if err != nil {
		return nil, fmt.Errorf("analytics: open %s: %w", path, err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{searchesBucket, clicksBucket} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("analytics: %s: %w", path, err)
	}
	return &DB{db: db}, nil
}

// Close closes the file.
func (d *DB) Close() error { return d.db.Close() }

// Write stores searches and clicks in one transaction.
func (d *DB) Write(searches []Search, clicks []Click) (ns, nc int, err error) {
	err = d.db.Update(func(tx *bolt.Tx) error {
		ns, nc = 0, 0
		sb, cb := tx.Bucket(searchesBucket), tx.Bucket(clicksBucket)
		for _, s := range searches {
			k, ok := parseID(s.ID)
			if !ok {
				continue
			}
			v, err := json.Marshal(s)
			if err != nil {
				return err
			}
			if err := sb.Put(k, v); err != nil {
				return err
			}
			ns++
		}
		for _, c := range clicks {
			k, ok := parseID(c.QueryID)
			if !ok || sb.Get(k) == nil {
				continue // unknown or expired: ignored
			}
			seq, err := cb.NextSequence()
			if err != nil {
				return err
			}
			v, err := json.Marshal(c)
			if err != nil {
				return err
			}
			if err := cb.Put(binary.BigEndian.AppendUint64(append([]byte{}, k...), seq), v); err != nil {
				return err
			}
			nc++
		}
		return nil
	})
	return ns, nc, err
}

// scanChunk is the number of searches a Scan reads per read transaction,
// so that a long report never holds one transaction (which would stall the
// writer when the file grows).
const scanChunk = 5000

// Scan calls fn for each search made in r, in time order, with its clicks.
func (d *DB) Scan(r Range, fn func(Search, []Click) error) error {
	start := timeKey(r.From)
	var end []byte
	if !r.To.IsZero() {
		end = timeKey(r.To)
	}
	for {
		var next []byte
		err := d.db.View(func(tx *bolt.Tx) error {
			sc := tx.Bucket(searchesBucket).Cursor()
			cc := tx.Bucket(clicksBucket).Cursor()
			n := 0
			for k, v := sc.Seek(start); k != nil; k, v = sc.Next() {
				if end != nil && bytes.Compare(k, end) >= 0 {
					return nil
				}
				if n == scanChunk {
					next = append([]byte{}, k...)
					return nil
				}
				n++
				s, err := decodeSearch(k, v)
				if err != nil {
					return err
				}
				var clicks []Click
				for ck, cv := cc.Seek(k); ck != nil && bytes.HasPrefix(ck, k); ck, cv = cc.Next() {
					var c Click
					if err := json.Unmarshal(cv, &c); err != nil {
						return fmt.Errorf("analytics: click %x: %w", ck, err)
					}
					c.QueryID = s.ID
					clicks = append(clicks, c)
				}
				if err := fn(s, clicks); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil || next == nil {
			return err
		}
		start = next
	}
}

func decodeSearch(k, v []byte) (Search, error) {
	var s Search
	if err := json.Unmarshal(v, &s); err != nil {
		return s, fmt.Errorf("analytics: search %x: %w", k, err)
	}
	s.ID = fmt.Sprintf("%x", k)
	s.Time = keyTime(k)
	return s, nil
}

// deleteChunk is the number of keys one transaction of Delete removes.
const deleteChunk = 10000

// Delete removes the searches made before t and their clicks, in
// transactions of at most deleteChunk keys each.
func (d *DB) Delete(before time.Time) (int, error) {
	end := timeKey(before)
	total := 0
	for _, name := range [][]byte{clicksBucket, searchesBucket} {
		for {
			n := 0
			err := d.db.Update(func(tx *bolt.Tx) error {
				c := tx.Bucket(name).Cursor()
				for k, _ := c.First(); k != nil && bytes.Compare(k, end) < 0 && n < deleteChunk; k, _ = c.First() {
					if err := c.Delete(); err != nil {
						return err
					}
					n++
				}
				return nil
			})
			if err != nil {
				return total, fmt.Errorf("analytics: delete before %s: %w", before.Format(time.RFC3339), err)
			}
			if bytes.Equal(name, searchesBucket) {
				total += n
			}
			if n < deleteChunk {
				break
			}
		}
	}
	return total, nil
}
