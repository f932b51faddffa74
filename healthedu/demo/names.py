"""Believable Chinese names, addresses and phones for demo data (made up, seeded, repeatable)."""

import random

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
MALE_CHARS = "伟强磊军勇杰涛明超刚平辉鹏华飞鑫波斌宇浩凯健俊帆帅旭宁龙林洋峰建国志文海东亮成"
FEMALE_CHARS = "芳娜敏静丽艳娟霞秀玲桂兰英华燕萍红梅琳雪婷慧莹颖洁倩琴云莉晶欣怡佳蕾丹萱"
STREETS = ["天虹路", "文化巷", "春晖路", "建设路", "解放大道", "和平街"]


def person_name(rng: random.Random, sex: str) -> str:
    chars = MALE_CHARS if sex == "M" else FEMALE_CHARS
    given = rng.choice(chars) + (rng.choice(chars) if rng.random() < 0.7 else "")
    return rng.choice(SURNAMES) + given


def address(rng: random.Random, street: str) -> str:
    return f"{street}{rng.randint(1, 30)}号{rng.randint(1, 4)}单元{rng.randint(1, 18)}{rng.randint(1, 4):02d}室"


def mobile(rng: random.Random) -> str:
    return (
        rng.choice(["138", "139", "135", "136", "150", "151", "158", "186", "187", "133", "177"])
        + f"{rng.randint(0, 99999999):08d}"
    )
