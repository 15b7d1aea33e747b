package templates

import (
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// TestLayout keeps the embedded set tidy: every file is
// <lang>/<name>.<part>.tmpl, the partials are embedded (the "_" names are
// the ones a directory embed would silently drop) and both languages hold
// the same files, so no customer gets a mail that exists only in the other
// language.
func TestLayout(t *testing.T) {
	name := regexp.MustCompile(`^[a-z]{2}/_?[a-z_]+\.(txt|html|subject)\.tmpl$`)
	byLang := map[string][]string{}
	err := fs.WalkDir(FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if !name.MatchString(p) {
			t.Errorf("%s does not follow <lang>/<name>.<txt|html|subject>.tmpl", p)
		}
		dir, base := path.Split(p)
		byLang[strings.TrimSuffix(dir, "/")] = append(byLang[strings.TrimSuffix(dir, "/")], base)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, must := range []string{"_privacy.txt.tmpl", "_privacy.html.tmpl", "_instructions.txt.tmpl", "_hours.html.tmpl"} {
		if _, err := fs.Stat(FS, "de/"+must); err != nil {
			t.Errorf("partial de/%s is not embedded: %v", must, err)
		}
	}
	de, en := byLang["de"], byLang["en"]
	sort.Strings(de)
	sort.Strings(en)
	if strings.Join(de, " ") != strings.Join(en, " ") {
		t.Errorf("languages differ:\n de: %v\n en: %v", de, en)
	}
}
