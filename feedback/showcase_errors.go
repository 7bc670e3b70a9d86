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
