// Package community holds the rules of the community itself: members and
// their platform identities, engagement, tiers and priority, onboarding,
// loyalty and moderation. It knows nothing about chat platforms or SQL.
package community
