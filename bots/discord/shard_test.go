package discord_test

import (
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/bwmarrin/discordgo"
	"github.com/hearthbot/hearth/bots/discord"
	"github.com/hearthbot/hearth/bots/discord/discordtest"
)

// guildOnShard returns a fresh guild id whose events Discord sends to
// shard `shard` of `count`: (id >> 22) % count.
func guildOnShard(shard, count int) string {
	for {
		id := discordtest.NewID()
		n, err := strconv.ParseUint(id, 10, 64)
		if err != nil {
			panic(err)
		}
		if int((n>>22)%uint64(count)) == shard {
			return id
		}
	}
}

// TestShardIdentifiesAndServesItsGuilds: Options.ShardID and ShardCount
// go into IDENTIFY as [shard_id, num_shards] (none when unsharded), and
// the process then records and answers the guilds of its shard only.
func TestShardIdentifiesAndServesItsGuilds(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		id, count int
		want      *[2]int
	}{
		{0, 0, nil}, // unsharded: the default
		{0, 2, &[2]int{0, 2}},
		{1, 2, &[2]int{1, 2}},
	} {
		t.Run(fmt.Sprintf("shard %d of %d", tc.id, tc.count), func(t *testing.T) {
			owner, alice := discordtest.NewUser("olga"), discordtest.NewUser("alice")
			channels := map[int]string{}
			guilds := map[int]*discordgo.Guild{}
			for shard := range 2 {
				g, channel := textGuild(fmt.Sprintf("Server on shard %d", shard), owner.ID)
				g.ID = guildOnShard(shard, 2)
				guilds[shard], channels[shard] = g, channel
			}
			w := startScene(t, scene{
				fake:  []discordtest.Option{discordtest.WithRecommendedShards(2)},
				owner: owner.ID,
				prepare: func(dc *discordtest.Server) {
					for shard := range 2 {
						dc.AddGuild(guilds[shard])
						dc.Dispatch(t, "GUILD_MEMBER_ADD", dc.GuildMemberAdd(guilds[shard].ID, alice))
					}
				},
				adapter: func(o *discord.Options) { o.ShardID, o.ShardCount = tc.id, tc.count },
			})
			switch got := w.identify.Shard; {
			case tc.want == nil && got != nil, tc.want != nil && (got == nil || *got != *tc.want):
				t.Fatalf("IDENTIFY shard = %v, want %v", got, tc.want)
			}

			mine := []int{0, 1}
			if tc.count == 2 {
				mine = []int{tc.id}
			}
			for _, shard := range mine {
				w.waitGuild(t, guilds[shard].ID)
				if r := w.slash(t, guilds[shard].ID, channels[shard], alice, "help"); !strings.Contains(r.Data.Content, "/help") {
					t.Errorf("/help in the server on shard %d = %q", shard, r.Data.Content)
				}
			}
			if len(mine) == 1 {
				other := guilds[1-tc.id]
				i := w.dc.SlashCommand(other.ID, channels[1-tc.id], alice, "help")
				if n := w.dc.Dispatch(t, "INTERACTION_CREATE", i); n != 0 {
					t.Errorf("a command in the other shard's server reached %d connections", n)
				}
				var n int
				if err := w.store.DB().Get(&n, `SELECT count(*) FROM chats WHERE platform_chat_id = $1`, other.ID); err != nil || n != 0 {
					t.Errorf("the other shard's server is recorded (%d rows, %v)", n, err)
				}
			}
		})
	}
}
