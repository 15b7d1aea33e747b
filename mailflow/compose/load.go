package compose

import (
	"errors"
	"fmt"
	htemplate "html/template"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	ttemplate "text/template"

	"github.com/mailflow/mailflow/templates"
)

// The parts of one mail, by file name suffix: "confirmation.txt.tmpl".
const (
	partText    = "txt"
	partHTML    = "html"
	partSubject = "subject"
)

// templateFile is one template source, embedded or from the override folder.
type templateFile struct {
	rel    string // "de/confirmation.txt.tmpl", the same in both sources
	origin string // what error messages call it: the override path or "embedded:…"
	body   string
}

// collectFiles returns the embedded templates with every file of the same
// relative path under overrideDir put in its place. Override files with new
// names are added: that is how an operator adds a mail or a language.
func collectFiles(overrideDir string) (map[string]templateFile, error) {
	files := map[string]templateFile{}
	err := fs.WalkDir(templates.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".tmpl") {
			return err
		}
		b, err := fs.ReadFile(templates.FS, p)
		if err != nil {
			return err
		}
		files[p] = templateFile{rel: p, origin: "embedded:templates/" + p, body: string(b)}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read embedded templates: %w", err)
	}
	if overrideDir == "" {
		return files, nil
	}
	info, err := os.Stat(overrideDir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return files, nil
	case err != nil:
		return nil, fmt.Errorf("templates folder: %w", err)
	case !info.IsDir():
		return nil, fmt.Errorf("templates folder %s is not a folder", overrideDir)
	}
	err = fs.WalkDir(os.DirFS(overrideDir), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if strings.HasPrefix(d.Name(), ".") && p != "." {
			// Editor swap files, macOS metadata and VCS folders are not templates.
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if d.IsDir() || !strings.HasSuffix(p, ".tmpl") {
			return nil
		}
		b, err := os.ReadFile(filepath.Join(overrideDir, filepath.FromSlash(p)))
		if err != nil {
			return err
		}
		files[p] = templateFile{rel: p, origin: filepath.Join(overrideDir, filepath.FromSlash(p)), body: string(b)}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read templates folder: %w", err)
	}
	return files, nil
}

// language holds the parsed templates of one language. Text and subject
// templates share one text/template set, HTML ones an html/template set, so
// each mail can call the partials of its own kind by file name.
type language struct {
	code   string
	texts  *ttemplate.Template
	htmls  *htemplate.Template
	mails  map[string]bool   // mail name → all three parts present
	origin map[string]string // template name → file, for error messages
	hours  []HoursLine
	zone   string
}

// parseLanguages sorts files into languages and parses them, collecting
// every error so an operator fixes all mistakes in one round.
func parseLanguages(files map[string]templateFile) (map[string]*language, error) {
	var errs []error
	langs := map[string]*language{}
	parts := map[string]map[string]map[string]bool{} // lang → mail → parts
	rels := make([]string, 0, len(files))
	for rel := range files {
		rels = append(rels, rel)
	}
	sort.Strings(rels)
	for _, rel := range rels {
		f := files[rel]
		code, name, part, err := splitName(rel)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", f.origin, err))
			continue
		}
		l := langs[code]
		if l == nil {
			l = &language{
				code:   code,
				texts:  ttemplate.New(code).Option("missingkey=error"),
				htmls:  htemplate.New(code).Option("missingkey=error"),
				mails:  map[string]bool{},
				origin: map[string]string{},
			}
			langs[code] = l
			parts[code] = map[string]map[string]bool{}
		}
		tname := name + "." + part
		l.origin[tname] = f.origin
		if part == partHTML {
			_, err = l.htmls.New(tname).Parse(f.body)
		} else {
			_, err = l.texts.New(tname).Parse(f.body)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", f.origin, err))
			// Still counted as present below, so the mail is not also
			// reported as missing this part.
		}
		if !strings.HasPrefix(name, "_") {
			if parts[code][name] == nil {
				parts[code][name] = map[string]bool{}
			}
			parts[code][name][part] = true
		}
	}
	for code, mails := range parts {
		for name, have := range mails {
			var missing []string
			for _, p := range []string{partSubject, partText, partHTML} {
				if !have[p] {
					missing = append(missing, name+"."+p+".tmpl")
				}
			}
			if len(missing) > 0 {
				errs = append(errs, fmt.Errorf("%s/%s: missing %s", code, name, strings.Join(missing, ", ")))
				continue
			}
			langs[code].mails[name] = true
		}
	}
	// A mail that exists in one language only would fail for the customers
	// of the other; say so now rather than at their first mail.
	for code, l := range langs {
		for other, o := range langs {
			for name := range o.mails {
				if !l.mails[name] && parts[code][name] == nil {
					errs = append(errs, fmt.Errorf("%s/%s: mail exists in %s but not in %s", code, name, other, code))
				}
			}
		}
	}
	if err := errors.Join(sortErrors(errs)...); err != nil {
		return nil, err
	}
	return langs, nil
}

// splitName reads "de/confirmation.txt.tmpl" as language, mail and part.
func splitName(rel string) (code, name, part string, err error) {
	dir, base := path.Split(rel)
	dir = strings.TrimSuffix(dir, "/")
	if dir == "" || strings.Contains(dir, "/") {
		return "", "", "", errors.New("templates live in a language folder, e.g. de/confirmation.txt.tmpl")
	}
	stem := strings.TrimSuffix(base, ".tmpl")
	i := strings.LastIndex(stem, ".")
	if i <= 0 {
		return "", "", "", fmt.Errorf("%q: name it <mail>.txt.tmpl, <mail>.html.tmpl or <mail>.subject.tmpl", base)
	}
	name, part = stem[:i], stem[i+1:]
	switch part {
	case partText, partHTML, partSubject:
	default:
		return "", "", "", fmt.Errorf("%q: unknown part %q, want txt, html or subject", base, part)
	}
	return dir, name, part, nil
}

func sortErrors(errs []error) []error {
	sort.Slice(errs, func(i, j int) bool { return errs[i].Error() < errs[j].Error() })
	return errs
}

func (l *language) mailNames() []string {
	names := make([]string, 0, len(l.mails))
	for n := range l.mails {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func (l *language) subject(name string, data Mail) (string, error) {
	var b strings.Builder
	if err := l.texts.ExecuteTemplate(&b, name+"."+partSubject, data); err != nil {
		return "", l.execError(name, partSubject, err)
	}
	s := cleanHeader(b.String(), maxSubjectRunes)
	if s == "" {
		return "", fmt.Errorf("%s: subject is empty", l.origin[name+"."+partSubject])
	}
	return s, nil
}

func (l *language) text(name string, data Mail) (string, error) {
	var b strings.Builder
	if err := l.texts.ExecuteTemplate(&b, name+"."+partText, data); err != nil {
		return "", l.execError(name, partText, err)
	}
	return tidy(b.String()), nil
}

func (l *language) html(name string, data Mail) (string, error) {
	var b strings.Builder
	if err := l.htmls.ExecuteTemplate(&b, name+"."+partHTML, data); err != nil {
		return "", l.execError(name, partHTML, err)
	}
	return tidy(b.String()), nil
}

// partial renders a text partial on its own, for text that goes somewhere
// other than a mail part (the calendar invitation's summary and
// description). The result is tidied like a text part.
func (l *language) partial(name string, data Mail) (string, error) {
	tname := name + "." + partText
	if l.texts.Lookup(tname) == nil {
		// Only an operator's new language can lack it; say which file to add.
		return "", fmt.Errorf("%s/%s.tmpl: missing, it is needed for calendar invitations", l.code, tname)
	}
	var b strings.Builder
	if err := l.texts.ExecuteTemplate(&b, tname, data); err != nil {
		return "", l.execError(name, partText, err)
	}
	return tidy(b.String()), nil
}

// execError names the file at fault. When a partial fails, that is the
// partial's file (which may be an override) rather than the mail's, or the
// operator would be sent to a file they never touched.
func (l *language) execError(name, part string, err error) error {
	file := l.origin[name+"."+part]
	var execErr ttemplate.ExecError
	var escErr *htemplate.Error
	switch {
	case errors.As(err, &execErr) && l.origin[execErr.Name] != "":
		file = l.origin[execErr.Name]
	case errors.As(err, &escErr) && l.origin[escErr.Name] != "":
		file = l.origin[escErr.Name]
	}
	return fmt.Errorf("%s: %w", file, err)
}

// tidy forgives template whitespace: trailing blanks go, runs of empty lines
// become one, and the body ends with exactly one line break. Operators can
// then write readable templates without counting {{- -}}.
func tidy(s string) string {
	lines := strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n")
	out := make([]string, 0, len(lines))
	blank := true // drops leading empty lines too
	for _, line := range lines {
		line = strings.TrimRight(line, " \t")
		if line == "" {
			if blank {
				continue
			}
			blank = true
		} else {
			blank = false
		}
		out = append(out, line)
	}
	return strings.TrimRight(strings.Join(out, "\n"), "\n") + "\n"
}
