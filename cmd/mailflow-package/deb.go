package main

import (
	"embed"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"github.com/goreleaser/nfpm/v2"
	_ "github.com/goreleaser/nfpm/v2/deb" // registers the deb packager
	"github.com/goreleaser/nfpm/v2/files"
)

// debian holds the maintainer scripts. They must work without systemd
// (containers, chroots, CI): every systemctl call is guarded.
//
//go:embed debian/*
var debian embed.FS

// writeDeb packs the staged tree into dir/mailflow_VERSION_ARCH.deb.
func writeDeb(tree, dir string, b buildInfo) (string, error) {
	mtime, err := time.Parse(time.RFC3339, b.Date)
	if err != nil {
		return "", err
	}
	var contents files.Contents
	err = filepath.WalkDir(tree, func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		rel, err := filepath.Rel(tree, p)
		if err != nil {
			return err
		}
		mode := os.FileMode(0o644)
		if rel == binPath || rel == ctlPath {
			mode = 0o755
		}
		c := &files.Content{Source: p, Destination: "/" + filepath.ToSlash(rel),
			FileInfo: &files.ContentFileInfo{Owner: "root", Group: "root", Mode: mode, MTime: mtime}}
		if rel == configPath {
			c.Type = files.TypeConfig // a conffile: dpkg keeps the admin's edits
		}
		contents = append(contents, c)
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("read staged tree: %w", err)
	}
	scripts, err := os.MkdirTemp("", "mailflow-debian-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(scripts)
	script := func(name string) (string, error) {
		body, err := debian.ReadFile("debian/" + name)
		if err != nil {
			return "", err
		}
		p := filepath.Join(scripts, name)
		return p, os.WriteFile(p, body, 0o755)
	}
	var s nfpm.Scripts
	for _, x := range []struct {
		name string
		dst  *string
	}{{"preinst", &s.PreInstall}, {"postinst", &s.PostInstall}, {"prerm", &s.PreRemove}, {"postrm", &s.PostRemove}} {
		if *x.dst, err = script(x.name); err != nil {
			return "", err
		}
	}
	info := nfpm.WithDefaults(&nfpm.Info{
		Name:          "mailflow",
		Arch:          runtime.GOARCH, // cgo: the binary is for the machine that built it
		Platform:      "linux",
		Version:       b.Version,
		VersionSchema: "none",
		Section:       "mail",
		Priority:      "optional",
		Maintainer:    "mailflow maintainers <support@example.com>",
		Description: "email-driven appointment desk for remote support\n" +
			"mailflow watches a support mailbox, books remote-support sessions\n" +
			"from customers' mail in German or English, answers with confirmations\n" +
			"and calendar invitations, and mails technicians their day.",
		License: "proprietary",
		MTime:   mtime,
		Overridables: nfpm.Overridables{
			// adduser or passwd (useradd) for the system user; libc for cgo.
			Depends:  []string{"libc6", "adduser | passwd"},
			Contents: contents,
			Scripts:  s,
		},
	})
	if err := nfpm.PrepareForPackager(info, "deb"); err != nil {
		return "", fmt.Errorf("package: %w", err)
	}
	pkg, err := nfpm.Get("deb")
	if err != nil {
		return "", err
	}
	name := filepath.Join(dir, fmt.Sprintf("mailflow_%s_%s.deb", b.Version, info.Arch))
	tmp := name + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return "", err
	}
	if err := pkg.Package(info, f); err != nil {
		f.Close()
		os.Remove(tmp)
		return "", fmt.Errorf("package: %w", err)
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return "", err
	}
	return name, os.Rename(tmp, name)
}
