module github.com/folio-search/folio/scripts/readability-compare

go 1.26.8

replace github.com/folio-search/folio => ../..

require (
	codeberg.org/readeck/go-readability/v2 v2.1.3
	github.com/folio-search/folio v0.0.0-00010101000000-000000000000
	github.com/go-shiori/go-readability v0.0.0-20251205110129-5db1dc9836f0
	github.com/ledongthuc/pdf v0.0.0-20260907135840-6c8c28e0e8a0
	golang.org/x/net v0.63.0
)

require (
	github.com/andybalholm/cascadia v1.3.3 // indirect
	github.com/araddon/dateparse v0.0.0-20210429162001-6b43995a97de // indirect
	github.com/go-shiori/dom v0.0.0-20230515143342-73569d674e1c // indirect
	github.com/gogs/chardet v0.0.0-20211120154057-b7413eaefb8f // indirect
	github.com/itlightning/dateparse v0.2.1 // indirect
	github.com/mmcdole/gofeed v1.4.2 // indirect
	github.com/mmcdole/goxpp/v2 v2.0.0 // indirect
	golang.org/x/text v0.44.0 // indirect
)
