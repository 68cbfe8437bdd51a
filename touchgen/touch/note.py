"""The drafted note for a proposed touch: a few lines in the person's first name, linking the
recent post closest to their interests. A starting point the author rewrites."""

from __future__ import annotations

from ..config import Settings
from ..mail.personalize import first_name
from ..people.model import EventKind
from ..people.store import Store
from ..site.content import Content, Document
from .planner import Proposal

RECENT_POSTS = 12  # "recent": the newest this many published posts


def interests(store: Store, proposal: Proposal) -> list[str]:
    """The posts the person replied to or booked a call after, newest first."""
    events = store.events_of(proposal.placed.history.person.id)
    slugs = [e.post for e in reversed(events) if e.kind in (EventKind.REPLIED, EventKind.BOOKED_CALL) and e.post]
    return list(dict.fromkeys(slugs))


def closest_post(content: Content, proposal: Proposal, liked: list[str], settings: Settings) -> Document | None:
    """The recent post sharing the most tags with the posts they answered; else the newest."""
    moment = settings.zone
    published = [post for post in content.posts if not post.draft and post.date is not None
                 and post.date.astimezone(moment).date() <= proposal.day][:RECENT_POSTS]
    if not published:
        return None
    by_slug = {post.slug: post for post in content.posts}
    tags = {tag for slug in liked if slug in by_slug for tag in by_slug[slug].tags}
    unseen = [post for post in published if post.slug not in liked] or published
    return max(unseen, key=lambda post: (len(tags & set(post.tags)), post.date))


def draft(content: Content, store: Store, proposal: Proposal, settings: Settings) -> str:
    """The note: greeting, why now, the post and its link, a question, the author's first name."""
    history = proposal.placed.history
    liked = interests(store, proposal)
    post = closest_post(content, proposal, liked, settings)
    titles = {p.slug: p.title for p in content.posts}
    if proposal.unanswered is not None:
        about = history.last_reply_post
        opening = (f"Thank you for your reply about \"{titles[about]}\"; I have been thinking about what you wrote."
                   if about in titles else "Thank you for your reply; I have been thinking about what you wrote.")
    elif proposal.activity is not None:
        account, activity = proposal.activity
        opening = f"With {activity.what} coming up on {activity.date}, I wanted to check in before then."
    else:
        opening = "It has been a while since we last spoke, and you came to mind this week."
    lines = [f"Hi {first_name(history.person.name)},", "", opening]
    if post is not None:
        lines += ["", f"I wrote this with people like you in mind: \"{post.title}\" "
                      f"({settings.absolute(post.url_path)})."]
    lines += ["", "How are things on your side?", "", first_name(settings.site.author) if settings.site.author else ""]
    return "\n".join(lines).rstrip() + "\n"
