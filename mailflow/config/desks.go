package config

// Several desks in one file. A config with a desks: list describes one
// deployment that serves several support desks (the desks of several
// vendors, say): every entry is a desk with its own mailbox, hours,
// technicians, templates and database, and every top-level key is the
// default each desk inherits and may override, key by key. A file without
// desks: is one desk, exactly as before.
//
// Each desk resolves into a *Config of its own, built as if its entry had
// been written over the top-level keys, then defaulted and validated like
// a single-desk file. Everything downstream (daemon, store, pipeline, web)
// keeps working on one *Config per desk and never sees the list.

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
)

// DeskSpec is one entry of desks: kept as its YAML node, so it can be
// decoded over a fresh copy of the top-level keys and its errors still
// name the line in the file.
type DeskSpec struct {
	node ast.Node
}

// UnmarshalYAML keeps the node for parseDesks.
func (s *DeskSpec) UnmarshalYAML(n ast.Node) error {
	if _, ok := pairs(n); !ok {
		return fmt.Errorf("[%d:%d] a desk is a mapping of keys (name, slug, imap, smtp, desk, technicians, …)", n.GetToken().Position.Line, n.GetToken().Position.Column)
	}
	s.node = n
	return nil
}

// processWide are the top-level keys that belong to the process, not to
// a desk: a desk that sets one is refused rather than silently ignored.
var processWide = map[string]string{
	"http":    "one listener serves every desk (each under /d/SLUG/)",
	"log":     "one log serves every desk (each line carries desk=SLUG)",
	"sandbox": "the sandbox mail server serves a single desk",
	"desks":   "desks do not nest",
}

// slugPattern is what a slug may look like: it appears in URLs, file
// names, metric labels and the -desk flag.
var slugPattern = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,38}[a-z0-9])?$`)

// Desks returns the desks this config serves, each resolved and
// validated: the one desk of a single-desk file (c itself), or one
// *Config per entry of desks:.
func (c *Config) Desks() []*Config {
	if c.desks == nil {
		return []*Config{c}
	}
	return c.desks
}

// Several reports whether the file lists more than one desk: then the
// web pages of each live under /d/SLUG/ and metrics carry desk labels.
func (c *Config) Several() bool { return len(c.desks) > 1 }

// OneOfSeveral reports whether c is one desk of a file that lists several.
func (c *Config) OneOfSeveral() bool { return c.ofSeveral }

// DeskBySlug picks one desk for a command that acts on one (try, forget,
// status, backup …). "" means the only desk, and is an error naming the
// choices when there are several.
func (c *Config) DeskBySlug(slug string) (*Config, error) {
	desks := c.Desks()
	var names []string
	for _, d := range desks {
		if slug != "" && strings.EqualFold(d.Slug, slug) {
			return d, nil
		}
		names = append(names, d.Slug)
	}
	if slug == "" {
		if len(desks) == 1 {
			return desks[0], nil
		}
		return nil, fmt.Errorf("%s serves %d desks: choose one with -desk %s", c.Path, len(desks), strings.Join(names, "|"))
	}
	if len(desks) == 1 && desks[0].Slug == "" {
		return nil, fmt.Errorf("%s serves one desk without a slug; leave -desk out (or give the desk slug: %s)", c.Path, slug)
	}
	return nil, fmt.Errorf("%s has no desk %q; its desks are %s", c.Path, slug, strings.Join(names, ", "))
}

// normaliseDesk fills the name and slug of one desk: a slug from the
// name when only a name is given, a name from the slug otherwise.
func (c *Config) normaliseDesk() error {
	c.Name = strings.TrimSpace(c.Name)
	c.Slug = strings.TrimSpace(c.Slug)
	if c.Slug == "" && c.Name != "" {
		c.Slug = Slugify(c.Name)
		if c.Slug == "" {
			return fmt.Errorf("name: %q gives no slug (letters or digits); set slug", c.Name)
		}
	}
	if c.Slug != "" && !slugPattern.MatchString(c.Slug) {
		return fmt.Errorf("slug: %q is not a slug: lower-case letters, digits and inner dashes, at most 40", c.Slug)
	}
	if c.Name == "" {
		c.Name = c.Slug
	}
	return nil
}

// Slugify turns a desk's name into a slug: "Müller & Söhne IT" → "mueller-soehne-it".
func Slugify(name string) string {
	r := strings.NewReplacer("ä", "ae", "ö", "oe", "ü", "ue", "ß", "ss", "Ä", "ae", "Ö", "oe", "Ü", "ue")
	var b strings.Builder
	dash := false
	for _, ch := range strings.ToLower(r.Replace(name)) {
		switch {
		case ch >= 'a' && ch <= 'z', ch >= '0' && ch <= '9':
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(ch)
			dash = false
		default:
			dash = true
		}
	}
	s := b.String()
	if len(s) > 40 {
		s = strings.TrimRight(s[:40], "-")
	}
	return s
}

// parseDesks resolves every entry of top.DeskList. top is the file read
// over the defaults (not validated: its keys are defaults and need not
// make a desk on their own).
func parseDesks(name string, data []byte, top *Config) (*Config, error) {
	top.Path = name
	top.resolvePaths(filepath.Dir(name))
	entries, err := resolveEntries(name, data, top)
	if err != nil {
		return nil, err
	}
	var errs []error
	for _, e := range entries {
		errs = append(errs, e.errs...)
		top.desks = append(top.desks, e.cfg)
	}
	if len(errs) > 0 {
		top.desks = nil
		return nil, fmt.Errorf("%s: %w", name, errors.Join(errs...))
	}
	// The process-wide sections, validated (each desk checked them), for
	// the daemon's listener and log.
	first := top.desks[0]
	top.HTTP, top.Log = first.HTTP, first.Log
	if first.ofSeveral {
		top.HTTP.PublicURL = strings.TrimSuffix(top.HTTP.PublicURL, "/d/"+first.Slug)
	}
	return top, nil
}

// entry is one resolved entry of desks: and what is wrong with it (its
// own keys, or a clash with another desk).
type entry struct {
	cfg  *Config // nil when the entry itself is invalid
	errs []error
}

// resolveEntries resolves every entry of top.DeskList and checks them
// against each other; a clash is an error of both desks.
func resolveEntries(name string, data []byte, top *Config) ([]entry, error) {
	if len(top.DeskList) == 0 {
		return nil, fmt.Errorf("%s: desks: the list is empty; list at least one desk, or remove the key for a single desk", name)
	}
	if top.Name != "" || top.Slug != "" {
		return nil, fmt.Errorf("%s: name and slug belong to each entry of desks:, not to the top level", name)
	}
	// The file is parsed once; every desk decodes its tree afresh.
	file, err := parser.ParseBytes(data, 0)
	if err != nil || len(file.Docs) == 0 || file.Docs[0].Body == nil {
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	body := file.Docs[0].Body
	entries := make([]entry, len(top.DeskList))
	slugs := map[string]int{}
	mailboxes := map[string]int{}
	databases := map[string]int{}
	tokens := map[string]int{}
	clash := func(i, j int, format string, args ...any) {
		label := fmt.Sprintf("desks[%d] (%s)", i, entries[i].cfg.Slug)
		entries[i].errs = append(entries[i].errs, fmt.Errorf(label+": "+format, args...))
		// The first desk is not fine either: recorded, not repeated.
		entries[j].errs = append(entries[j].errs, nil)
	}
	for i, spec := range top.DeskList {
		d, err := resolveDesk(name, body, top, spec, i)
		if err != nil {
			entries[i].errs = []error{err}
			continue
		}
		entries[i].cfg = d
		if j, ok := slugs[d.Slug]; ok {
			clash(i, j, "slug %q is also desks[%d]'s; every desk needs its own", d.Slug, j)
		}
		slugs[d.Slug] = i
		mb := fmt.Sprintf("%s:%d/%s/%s", strings.ToLower(d.IMAP.Host), d.IMAP.Port, strings.ToLower(d.IMAP.Username), d.IMAP.Mailbox)
		if j, ok := mailboxes[mb]; ok {
			clash(i, j, "imap: the same mailbox (%s on %s:%d) as desks[%d]; two desks would answer every mail twice", d.IMAP.Username, d.IMAP.Host, d.IMAP.Port, j)
		}
		mailboxes[mb] = i
		if key := databaseKey(d.Database); key != "" {
			if j, ok := databases[key]; ok {
				hint := ""
				if d.Database.IsPostgres() {
					hint = " (on a shared PostgreSQL database: a database.schema of its own)"
				}
				clash(i, j, "database: the same database as desks[%d] (%s); every desk needs its own%s", j, key, hint)
			}
			databases[key] = i
		}
		if UsesOAuth2(d.IMAP.Auth) || UsesOAuth2(d.SMTP.Auth) {
			if f := d.OAuth2.RefreshTokenFile; f != "" {
				if j, ok := tokens[f]; ok {
					clash(i, j, "oauth2.refresh_token_file %s is also desks[%d]'s; each mailbox signs in with its own", f, j)
				}
				tokens[f] = i
			}
		}
	}
	for i := range entries {
		d := entries[i].cfg
		if d == nil || len(top.DeskList) < 2 {
			continue
		}
		d.ofSeveral = true
		if d.HTTP.PublicURL != "" {
			// Each desk's pages, and so the links in its mail, live
			// under /d/SLUG/ of the shared listener.
			d.HTTP.PublicURL += "/d/" + d.Slug
		}
	}
	return entries, nil
}

// LoadDesk reads the file at path and returns its desk with slug ("" for
// the only one): a desk's reload. An error in another desk's entry does
// not keep this desk from reloading; one in its own entry, or a clash
// with another desk, does.
func LoadDesk(path, slug string) (*Config, error) {
	file, err := Load(path)
	if err == nil {
		return file.DeskBySlug(slug)
	}
	if slug == "" {
		return nil, err
	}
	data, rerr := os.ReadFile(path)
	if rerr != nil {
		return nil, err
	}
	top := Default()
	top.Desk.Hours = nil
	if yaml.UnmarshalWithOptions(data, top, yaml.DisallowUnknownField(), yaml.Strict()) != nil || top.DeskList == nil {
		return nil, err
	}
	top.Path = path
	top.resolvePaths(filepath.Dir(path))
	entries, eerr := resolveEntries(path, data, top)
	if eerr != nil {
		return nil, err
	}
	for _, e := range entries {
		if e.cfg != nil && len(e.errs) == 0 && strings.EqualFold(e.cfg.Slug, slug) {
			return e.cfg, nil
		}
	}
	return nil, err
}

// resolveDesk builds one desk: the whole file (body, its parsed tree)
// decoded over the defaults again (so nothing is shared with another
// desk), the desk's entry decoded over that, then defaulted and validated.
func resolveDesk(name string, body ast.Node, top *Config, spec DeskSpec, i int) (*Config, error) {
	m := spec.node
	n := len(top.DeskList)
	label := fmt.Sprintf("desks[%d]", i)
	kvs, _ := pairs(m)
	for _, kv := range kvs {
		if why, ok := processWide[kv.Key.String()]; ok {
			return nil, fmt.Errorf("%s: line %d: %s is set for the whole file, not per desk: %s", label, kv.Key.GetToken().Position.Line, kv.Key.String(), why)
		}
	}
	d := Default()
	d.Desk.Hours = nil
	// One decoder for both, so an entry may use an anchor of the file.
	dec := yaml.NewDecoder(&bytes.Buffer{}, yaml.DisallowUnknownField(), yaml.Strict())
	if err := dec.DecodeFromNode(body, d); err != nil {
		return nil, fmt.Errorf("%s: %s", label, strings.TrimSpace(yaml.FormatError(err, false, true)))
	}
	d.DeskList, d.Name, d.Slug = nil, "", ""
	if hasKey(m, "desk", "hours") {
		// A desk's own week replaces the inherited one; it is not merged.
		d.Desk.Hours = nil
	}
	if err := dec.DecodeFromNode(m, d); err != nil {
		return nil, fmt.Errorf("%s: %s", label, strings.TrimSpace(yaml.FormatError(err, false, true)))
	}
	if d.Desk.Hours == nil {
		d.Desk.Hours = Default().Desk.Hours
	}
	d.Path = name
	d.resolvePaths(filepath.Dir(name))
	d.resolveCalendarPaths(filepath.Dir(name))
	if err := d.normaliseDesk(); err != nil {
		return nil, fmt.Errorf("%s: %w", label, err)
	}
	if d.Slug == "" {
		return nil, fmt.Errorf("%s: name or slug is required: it tells the desks apart in paths, metrics and -desk", label)
	}
	label = fmt.Sprintf("%s (%s)", label, d.Slug)
	if d.Sandbox.Enabled && n > 1 {
		return nil, fmt.Errorf("%s: sandbox.enabled: the sandbox mail server serves a single desk; list one desk or turn it off", label)
	}
	if !hasKey(m, "database", "path") {
		d.Database.Path = deskDatabasePath(top.Database.Path, d.Slug)
	}
	if d.Database.Driver == DriverPostgres && !hasKey(m, "database", "schema") &&
		!hasKey(m, "database", "dsn") && !hasKey(m, "database", "dsn_env") && !hasKey(m, "database", "dsn_file") {
		// The desk shares the top-level PostgreSQL database: its tables
		// live in a schema named after it.
		d.Database.Schema = DeskSchema(d.Slug)
	}
	if err := d.normalise(); err != nil {
		return nil, fmt.Errorf("%s: %w", label, err)
	}
	return d, nil
}

// deskDatabasePath is where a desk that names no database file of its
// own keeps its state: an SQLite file named after its slug beside the
// top-level database.path. A PostgreSQL database is inherited as it is,
// the desk's tables in a schema named after it (DeskSchema).
func deskDatabasePath(top, slug string) string {
	if top == ":memory:" {
		return top
	}
	dir := "."
	if top != "" {
		dir = filepath.Dir(top)
	}
	return filepath.Join(dir, slug+".db")
}

// pairs returns the key-value pairs of a mapping node (one pair is a
// node of its own in the parser's tree).
func pairs(n ast.Node) ([]*ast.MappingValueNode, bool) {
	switch m := n.(type) {
	case *ast.MappingNode:
		return m.Values, true
	case *ast.MappingValueNode:
		return []*ast.MappingValueNode{m}, true
	}
	return nil, false
}

// databaseKey names the database a desk writes to, for the check that no
// two desks share one: its file, or, for a database reached through a
// server, its connection keys (every key of the section but path and
// driver: read by name, so a connection key added to Database is covered
// without this function knowing it). "" for a private in-memory database.
func databaseKey(db Database) string {
	v := reflect.ValueOf(db)
	var conn []string
	for i := range v.NumField() {
		f := v.Type().Field(i)
		if f.Name == "Path" || f.Name == "Driver" {
			continue
		}
		if s := fmt.Sprint(v.Field(i).Interface()); s != "" {
			if f.Name == "DSN" {
				// The key is shown in errors: host and database only, which
				// is also what makes two connection strings one database.
				s = dsnName(s)
			}
			conn = append(conn, f.Tag.Get("yaml")+"="+s)
		}
	}
	if len(conn) > 0 {
		return strings.Join(conn, " ")
	}
	if db.Path == ":memory:" {
		return ""
	}
	return db.Path
}

// hasKey reports whether the mapping m sets the nested key path.
func hasKey(m ast.Node, path ...string) bool {
	n := m
	for _, k := range path {
		kvs, ok := pairs(n)
		if !ok {
			return false
		}
		found := false
		for _, kv := range kvs {
			if kv.Key.String() == k {
				n, found = kv.Value, true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// Only returns a copy of the file c that serves just the desk d (one of
// c's), still at its place among several (its paths and labels unchanged).
func (c *Config) Only(d *Config) *Config {
	cp := *c
	cp.desks = []*Config{d}
	return &cp
}
