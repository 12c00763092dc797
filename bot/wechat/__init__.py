"""The WeChat Official Account (公众号) channel: residents and couriers.

`WeChatChannel` builds the pieces from the settings: `wechat_router(channel, chat)` serves the
callback, `channel.transport` delivers the outbox (channel "wechat", address = openid).
"""
