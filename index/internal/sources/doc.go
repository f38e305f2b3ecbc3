// Package sources is where articles come from: it walks the files and
// folders given to an ingest (CollectFiles), opens them without ever
// blocking on what is not a regular file (Open), reads them in order into
// batches of records (Produce), keeps the sync state that tells which
// files changed since they were last read (State, Plan) and the ids that
// came from files with the encoding of API writes over them (IDSet,
// OverrideKey), and watches folders for changes (Watch). The bodies of
// the HTTP write API are a source too: DecodeObject, APIBody (one object
// or an array) and APILines (NDJSON) decode them into numbered records
// with their WriteResults, and hand the valid articles, a batch at a time,
// to a Write the facade gives (its write log).
//
// It hands out files and takes what it needs as parameters; it must not
// import the facade package index (nor bleve: it knows no index), only
// index/article and the standard library (and fsnotify).
package sources
