package community

import "context"

// Undo reverses the staff log's action log from its Undo button: a
// warning is removed, a mute or ban lifted. A kick, a purge, an undo or
// an end cannot be undone (EInvalid mod.cannot_undo). It returns the
// action undone.
func (m *Moderation) Undo(ctx context.Context, by MemberID, log int64) (Action, error) {
	a, err := m.store.LoggedAction(ctx, log)
	if err != nil {
		return Action{}, err
	}
	switch {
	case !a.Undoable():
		err = Errorf(EInvalid, "mod.cannot_undo", nil, "action %d cannot be undone", log)
	case a.Kind == ActionWarn:
		_, err = m.UndoWarning(ctx, by, a.Warning)
	default:
		_, _, err = m.UndoSanction(ctx, by, a.Sanction)
	}
	return a, err
}

// UndoWarning removes a warning from the staff log's Undo button.
func (m *Moderation) UndoWarning(ctx context.Context, by MemberID, id int64) (Outcome, error) {
	w, err := m.store.Warning(ctx, id)
	if err != nil {
		return Outcome{}, err
	}
	return m.Unwarn(ctx, by, w.Member, id, true)
}

// UndoSanction lifts a mute or ban from the staff log's Undo button; a
// kick cannot be undone.
func (m *Moderation) UndoSanction(ctx context.Context, by MemberID, id int64) (Outcome, SanctionKind, error) {
	s, err := m.store.Sanction(ctx, id)
	if err != nil {
		return Outcome{}, "", err
	}
	if s.Kind == SanctionKick {
		return Outcome{}, s.Kind, Errorf(EInvalid, "mod.cannot_undo", nil, "a kick cannot be undone")
	}
	out, err := m.lift(ctx, s.Kind, Lifting{By: by, Member: s.Member, Sanction: id, Reason: "undo", Undo: true})
	return out, s.Kind, err
}
