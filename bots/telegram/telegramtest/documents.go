package telegramtest

import (
	"context"
	"mime"
	"path"
	"slices"

	"github.com/go-telegram/bot/models"
)

// Document is a document the bot sent, as the chat shows it, with the
// bytes uploaded for it.
type Document struct {
	Message models.Message // caption, its entities, keyboard; Message.Document names the file
	Name    string         // the file name; empty when sent by file_id or URL
	Data    []byte         // the uploaded bytes; nil when sent by file_id or URL
}

// Documents returns the documents the bot sent to a chat and has not
// deleted, oldest first.
func (s *Server) Documents(chatID int64) []Document {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Document
	for _, m := range s.chat(chatID).messages {
		if m.byBot && !m.deleted && m.msg.Document != nil {
			out = append(out, Document{Message: m.msg, Name: m.msg.Document.FileName, Data: slices.Clone(m.upload)})
		}
	}
	slices.SortFunc(out, func(a, b Document) int { return a.Message.ID - b.Message.ID })
	return out
}

// sendDocument accepts the document as an uploaded file part (keeping its
// name and bytes), or as a file_id or URL string, with a caption parsed as
// sendPhoto's is.
func (s *Server) sendDocument(_ context.Context, c Call) reply {
	return s.sendFile(c, "document", func(m *message, f sentFile) {
		doc := &models.Document{FileID: f.id, FileUniqueID: f.uniqueID, FileName: f.name, FileSize: f.size}
		if f.name != "" {
			doc.MimeType = mime.TypeByExtension(path.Ext(f.name))
		}
		if doc.MimeType == "" && f.uploaded {
			doc.MimeType = "application/octet-stream"
		}
		m.msg.Document, m.upload = doc, f.data
	})
}
