package main

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/mailflow/mailflow/mailflow/store"
)

// showPrefixed lists the status entries whose keys start with prefix (the
// jobs' next and last runs, say), labelled with label and the rest of the
// key; nothing when there are none.
func showPrefixed(w io.Writer, kv map[string]store.StatusValue, prefix, label string) {
	var keys []string
	for k := range kv {
		if strings.HasPrefix(k, prefix) {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := kv[k]
		fmt.Fprintf(w, "%s%s\t%s\t(%s ago)\n", label, strings.TrimPrefix(k, prefix), v.Value, time.Since(v.UpdatedAt).Round(time.Second))
	}
}
