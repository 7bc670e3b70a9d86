// Package outbox is the contract every domain writes its side effects
// through: events recorded in the same transaction as a change, rendered
// into deliveries (a message, where it goes, when), and the retry policy
// that decides what follows a failed attempt. Storage persists it; the
// chat layer's dispatcher renders events and sends deliveries.
//
// Deliveries are stored as JSON in a stable schema: a Target (platform,
// chat or user, thread, reply-to, interaction handle, message to edit,
// language) and a Message (text in Hearth's markup, button rows, an image
// or a file, a form, and the ephemeral, edit and forget flags), with the
// JSON field names their struct tags give. Changing a tag is a migration.
package outbox
