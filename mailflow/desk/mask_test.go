package desk

import "testing"

func TestMaskID(t *testing.T) {
	for in, want := range map[string]string{"123456789": "*** *** 789", "": "*** *** ***", "12": "*** *** ***"} {
		if got := MaskID(in); got != want {
			t.Errorf("MaskID(%q) = %q, want %q", in, got, want)
		}
	}
}
