package message

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"strings"

	"github.com/emersion/go-message/textproto"
)

// Fingerprint returns the identity intake deduplicates by: the Message-ID
// and a hash of the body. Line endings and trailing blank lines are
// normalised so the same mail delivered twice by different paths (one
// adding Received or Return-Path headers, one rewriting CRLF) matches.
// Without a Message-ID, From, Date and Subject join the hash so two
// different short mails with identical bodies are not taken for one.
func Fingerprint(raw []byte) (messageID, bodyHash string) {
	hdrEnd, bodyStart := fingerprintSplit(raw)
	body := raw[bodyStart:]
	body = bytes.ReplaceAll(body, []byte("\r\n"), []byte("\n"))
	body = bytes.TrimRight(body, "\n \t")
	h := sha256.New()
	h.Write(body)
	hdr, err := textproto.ReadHeader(bufio.NewReader(bytes.NewReader(append(raw[:hdrEnd:hdrEnd], "\r\n\r\n"...))))
	if err == nil {
		messageID = strings.TrimSpace(hdr.Get("Message-Id"))
		if messageID == "" {
			for _, k := range []string{"From", "Date", "Subject"} {
				h.Write([]byte("\x00" + k + ":" + strings.TrimSpace(hdr.Get(k))))
			}
		}
	}
	return messageID, hex.EncodeToString(h.Sum(nil))
}

// fingerprintSplit finds the end of the header block and the start of the body.
func fingerprintSplit(raw []byte) (hdrEnd, bodyStart int) {
	if i := bytes.Index(raw, []byte("\r\n\r\n")); i >= 0 {
		if j := bytes.Index(raw, []byte("\n\n")); j >= 0 && j < i {
			return j, j + 2
		}
		return i, i + 4
	}
	if j := bytes.Index(raw, []byte("\n\n")); j >= 0 {
		return j, j + 2
	}
	return len(raw), len(raw)
}
