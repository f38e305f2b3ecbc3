// Package web reads the URL sources of an index over HTTP: a feed, a
// sitemap (or a sitemap index) or a single page. It owns the fetching (a
// Fetcher: only the configured hosts, robots.txt, a rate limit per host, a
// timeout and a byte limit per response, redirects only within the allowed
// hosts, retries with backoff for 5xx, conditional requests with the ETag
// and Last-Modified of the last sync), the reading of sitemaps
// (ParseSitemap) and the crawl of one sync (Crawler.Run), which turns the
// documents it fetched into records for the write pipeline and into the
// entries of the sync state (sources.FileState keyed by URL).
//
// It does not extract articles itself: the caller gives the HTML and feed
// extractors (index/article/extract). It must not import the facade
// package index, nor bleve.
package web
