package feedback

import "github.com/hearthbot/hearth/community"

// MediaNotFound: no file with hash h is kept.
func MediaNotFound(h MediaHash) error {
	return community.Errorf(community.ENotFound, "showcase.media_not_found", nil, "no media %s", h)
}

// SubmissionNotFound: no submission id.
func SubmissionNotFound(id SubmissionID) error {
	return community.Errorf(community.ENotFound, "showcase.not_found", map[string]any{"ID": int64(id)}, "no submission %d", id)
}

// ConsentNotFound: no consent id.
func ConsentNotFound(id ConsentID) error {
	return community.Errorf(community.ENotFound, "showcase.consent_not_found", map[string]any{"ID": int64(id)}, "no consent %d", id)
}

// AlreadySubmitted: the member submitted this file before, as submission
// id.
func AlreadySubmitted(id SubmissionID) error {
	return community.Errorf(community.EConflict, "showcase.already_submitted", map[string]any{"ID": int64(id)},
		"the file is submitted already, as submission %d", id)
}

// AlreadyReviewed: staff approved or rejected submission id already.
func AlreadyReviewed(id SubmissionID) error {
	return community.Errorf(community.EConflict, "showcase.already_reviewed", map[string]any{"ID": int64(id)},
		"submission %d is reviewed already", id)
}

// RequestNotFound: no consent request id.
func RequestNotFound(id RequestID) error {
	return community.Errorf(community.ENotFound, "showcase.request_not_found", map[string]any{"ID": int64(id)}, "no consent request %d", id)
}

// AlbumClosed: staff were shown album's post already; a file that comes
// later is a post of its own.
func AlbumClosed(album string) error {
	return community.Errorf(community.EConflict, "showcase.album_closed", nil, "album %s is with the staff already", album)
}
