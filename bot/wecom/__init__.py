"""The WeCom (企业微信) channel: grid staff get orders as cards and answer by button or text.

`WeComChannel` builds the pieces from the settings: `wecom_router(channel, chat)` serves the
callback, `channel.transport` delivers channel "wecom" (address = userid) and `channel.robot`
delivers channel "wecom_robot" (address = a group robot's webhook key) as markdown posts.
"""
