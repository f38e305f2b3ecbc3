// Package sources is where articles come from: it walks the files and
// folders given to an ingest (CollectFiles), opens them without ever
// blocking on what is not a regular file (Open), reads them in order into
// batches of records (Produce), keeps the sync state that tells which
// files changed since they were last read (State, Plan) and the ids that
// came from files with the encoding of API writes over them (IDSet,
// OverrideKey), and watches folders for changes (Watch).
//
// It hands out files and takes what it needs as parameters; it must not
// import the facade package index (nor bleve: it knows no index), only
// index/article and the standard library (and fsnotify).
package sources
