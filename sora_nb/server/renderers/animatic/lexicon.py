"""The things the animatic can draw, and the words that name each one.

One line per drawing: its emoji (OpenMoji's picture of it), its size beside a person, where it
goes, which way its picture faces, then the words for it (singular; plurals are found by rule,
irregular ones are listed). Several words may name one drawing ("golden retriever" and "puppy"
are both the dog); the longest phrase in a prompt wins. ``person`` is special: a person's
drawing follows the action's pose (walking, running, sitting, dancing, waving).

Sizes: t tiny (a cup), s small (a dog), m a person, l large (a car, a tree), h huge (a
building). Places: g on the ground, a in the air, w on water, f anywhere (centred). Facing: l
or r (the picture looks that way; it is mirrored to face where it moves), n neither.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

#: How tall each size class is beside a person.
SIZES = {"t": 0.22, "s": 0.5, "m": 1.0, "l": 1.5, "h": 2.4}

_TABLE = """
person 1F9CD m g n : person, man, woman, girl, boy, kid, child, children, people, figure, courier,
  hiker, traveler, traveller, stranger, detective, soldier, farmer, grandmother, grandfather,
  grandma, grandpa, old man, old woman, fisherman, student, worker, musician, tourist, friend,
  couple, family, teenager, teen, mother, father, mom, dad, pedestrian, commuter, doctor, nurse,
  chef, astronaut, explorer, scientist, artist, painter, singer, guy, lady, gentleman,
  businessman, businesswoman, officer, guard, boxer, walker, wanderer, athlete, player,
  protagonist, character, hero, heroine, villager, shopper, customer, waiter, waitress, bride,
  groom, sailor, pilot, driver, man in a suit, woman in a red dress, crowd, men, women, kids,
  passerby, passersby
runner 1F3C3 m g l : runner, jogger, sprinter
dancer 1F483 m g n : dancer, ballerina, ballet dancer
cyclist 1F6B4 m g l : cyclist, biker, bike rider
mountain-biker 1F6B5 m g l : mountain biker
swimmer 1F3CA m w l : swimmer
surfer 1F3C4 m w l : surfer
skier 26F7 m g l : skier
snowboarder 1F3C2 m g l : snowboarder
climber 1F9D7 m g n : climber, rock climber, mountaineer
rower 1F6A3 m w l : rower, kayaker, canoeist
rider 1F3C7 l g l : horse rider, jockey, rider, cowboy, cowgirl
juggler 1F939 m g n : juggler
baby 1F476 s g n : baby, infant, toddler
police 1F46E m g n : police officer, policeman, policewoman, cop
royal 1F478 m g n : princess, queen
prince 1F934 m g n : prince, king
wizard 1F9D9 m g n : wizard, witch, sorcerer, mage
mermaid 1F9DC m w n : mermaid, merman
superhero 1F9B8 m g n : superhero
ninja 1F977 m g n : ninja
santa 1F385 m g n : santa, santa claus
zombie 1F9DF m g n : zombie
ghost 1F47B m a n : ghost, spirit
robot 1F916 m g n : robot, android, droid
alien 1F47D m g n : alien, extraterrestrial
dog 1F415 s g l : dog, puppy, golden retriever, retriever, labrador, terrier, corgi, husky,
  beagle, hound, sheepdog, dachshund, pup, doggo, shepherd dog
poodle 1F429 s g l : poodle
cat 1F408 s g l : cat, kitten, kitty, tabby
horse 1F40E l g l : horse, pony, stallion, mare, foal
cow 1F404 l g l : cow, cattle, calf, bull
pig 1F416 s g l : pig, piglet
sheep 1F411 s g l : sheep, lamb
goat 1F410 s g l : goat
chicken 1F413 t g l : chicken, rooster, hen
duck 1F986 t w l : duck, duckling
bird 1F426 t a l : bird, sparrow, songbird, robin, finch, crow, raven, blackbird
gull 1F54A t a l : gull, seagull, dove, pigeon
eagle 1F985 s a l : eagle, hawk, falcon, vulture
owl 1F989 t a n : owl
parrot 1F99C t a l : parrot, macaw
penguin 1F427 s g n : penguin
flamingo 1F9A9 s g l : flamingo
swan 1F9A2 s w l : swan, goose
fish 1F41F t w l : fish, trout, salmon, carp
tropical-fish 1F420 t w l : tropical fish, goldfish, koi
whale 1F40B h w l : whale
dolphin 1F42C l w l : dolphin
shark 1F988 l w l : shark
octopus 1F419 s w n : octopus, squid
jellyfish 1FABC s w n : jellyfish
turtle 1F422 s g l : turtle, tortoise, sea turtle
crab 1F980 t g n : crab, lobster
frog 1F438 t g n : frog, toad
snake 1F40D s g l : snake, serpent, cobra
lizard 1F98E t g l : lizard, gecko, iguana
dinosaur 1F996 h g l : dinosaur, t-rex, tyrannosaurus
dragon 1F409 h a l : dragon
butterfly 1F98B t a n : butterfly, moth
bee 1F41D t a l : bee, bumblebee, wasp
ladybug 1F41E t g n : ladybug, ladybird, beetle
ant 1F41C t g l : ant
spider 1F577 t g n : spider
snail 1F40C t g l : snail, slug
elephant 1F418 h g l : elephant
giraffe 1F992 h g l : giraffe
zebra 1F993 l g l : zebra
lion 1F981 l g n : lion, lioness
tiger 1F405 l g l : tiger
leopard 1F406 l g l : leopard, cheetah, jaguar, panther
bear 1F43B l g n : bear, grizzly, polar bear
monkey 1F412 s g l : monkey, chimpanzee, ape
gorilla 1F98D l g l : gorilla
deer 1F98C l g l : deer, stag, doe, fawn, elk, moose, reindeer
fox 1F98A s g n : fox
wolf 1F43A s g n : wolf
rabbit 1F407 t g l : rabbit, bunny, hare
squirrel 1F43F t g l : squirrel, chipmunk
mouse 1F401 t g l : mouse, mice, rat, hamster
bat 1F987 t a n : bat
camel 1F42B l g l : camel, dromedary
llama 1F999 l g l : llama, alpaca
kangaroo 1F998 l g l : kangaroo
koala 1F428 s g n : koala
panda 1F43C s g n : panda
hedgehog 1F994 t g l : hedgehog
otter 1F9A6 s w l : otter, beaver
sloth 1F9A5 s g l : sloth
unicorn 1F984 l g l : unicorn
car 1F697 l g l : car, sedan, automobile, convertible, hatchback, vintage car, sports car
taxi 1F695 l g l : taxi, cab
suv 1F699 l g l : suv, jeep, pickup, pickup truck
bus 1F68C h g l : bus, coach, school bus
truck 1F69A h g l : truck, lorry, van, delivery van
police-car 1F693 l g n : police car, patrol car
ambulance 1F691 l g l : ambulance
fire-engine 1F692 h g l : fire engine, fire truck
race-car 1F3CE l g l : race car, racecar, racing car, formula one car
motorcycle 1F3CD l g l : motorcycle, motorbike, dirt bike
scooter 1F6F5 l g l : scooter, moped, vespa
bicycle 1F6B2 l g l : bicycle, bike, tandem
train 1F686 h g n : train, high-speed train, bullet train
locomotive 1F682 h g l : locomotive, steam train, steam engine
tram 1F68B h g n : tram, streetcar, trolley, cable car
tractor 1F69C l g l : tractor
sailboat 26F5 l w l : sailboat, yacht, sailing boat, dinghy
boat 1F6E5 l w l : boat, motorboat, fishing boat, tugboat, trawler, speedboat
canoe 1F6F6 l w l : canoe, kayak, rowboat, rowing boat
ship 1F6A2 h w l : ship, cargo ship, liner, ocean liner, cruise ship, freighter, tanker
ferry 26F4 h w l : ferry
airplane 2708 l a r : airplane, plane, aircraft, airliner, aeroplane, jetliner
helicopter 1F681 l a l : helicopter, chopper
rocket 1F680 l a r : rocket, spacecraft, space shuttle
ufo 1F6F8 l a n : ufo, flying saucer, spaceship
balloon 1F388 t a n : balloon, hot air balloon
kite 1FA81 t a n : kite
skateboard 1F6F9 t g n : skateboard, skateboarder
house 1F3E0 h g n : house, home, farmhouse
cottage 1F3E1 h g n : cottage, bungalow, villa
hut 1F6D6 h g n : hut, cabin, shack, shed
building 1F3E2 h g n : building, office building, tower block, apartment block, skyscraper, tower
castle 1F3F0 h g n : castle, fortress, palace
church 26EA h g n : church, chapel, cathedral
temple 1F6D5 h g n : temple, shrine
mosque 1F54C h g n : mosque
factory 1F3ED h g n : factory, power plant, warehouse
hospital 1F3E5 h g n : hospital
school 1F3EB h g n : school, schoolhouse
stadium 1F3DF h g n : stadium, arena
tent 26FA l g n : tent, campsite, camp
statue 1F5FD h g n : statue, statue of liberty, monument
eiffel 1F5FC h g n : eiffel tower, radio tower, tokyo tower
ferris-wheel 1F3A1 h g n : ferris wheel
carousel 1F3A0 l g n : carousel, merry-go-round
roller-coaster 1F3A2 h g n : roller coaster, rollercoaster
fountain 26F2 l g n : fountain
volcano 1F30B h g n : volcano
lighthouse lighthouse h g n : lighthouse, beacon tower
bridge 1F309 h g n : bridge, golden gate bridge
tree 1F333 l g n : tree, oak, maple tree, oak tree, willow, birch
pine 1F332 l g n : pine, pine tree, fir, spruce, conifer
christmas-tree 1F384 l g n : christmas tree
palm 1F334 l g n : palm, palm tree, coconut tree
cactus 1F335 m g n : cactus, saguaro
blossom 1F338 t g n : blossom, cherry blossom, sakura
flower 1F33C t g n : flower, daisy, wildflower, bloom
rose 1F339 t g n : rose
sunflower 1F33B t g n : sunflower
tulip 1F337 t g n : tulip
bouquet 1F490 t g n : bouquet
mushroom 1F344 t g n : mushroom, toadstool
leaf 1F342 t a n : leaf, leaves, autumn leaves, fallen leaves
maple-leaf 1F341 t a n : maple leaf
seedling 1F331 t g n : seedling, sprout, sapling
houseplant 1FAB4 t g n : houseplant, potted plant, plant, fern
ramen 1F35C t g n : ramen, noodles, noodle soup, pho, udon, bowl of ramen
soup 1F963 t g n : soup, bowl, cereal, porridge, oatmeal
pizza 1F355 t g n : pizza, slice of pizza, pizza slice
burger 1F354 t g n : burger, hamburger, cheeseburger
hot-dog 1F32D t g n : hot dog, hotdog
taco 1F32E t g n : taco, burrito
sushi 1F363 t g n : sushi, sashimi
bread 1F35E t g n : bread, loaf, toast, sourdough, baguette
croissant 1F950 t g n : croissant, pastry, pastries
cake 1F370 t g n : cake, slice of cake, cheesecake
birthday-cake 1F382 t g n : birthday cake, wedding cake
cupcake 1F9C1 t g n : cupcake, muffin
cookie 1F36A t g n : cookie, biscuit
donut 1F369 t g n : donut, doughnut
ice-cream 1F366 t g n : ice cream, ice cream cone, gelato, soft serve
apple 1F34E t g n : apple
banana 1F34C t g n : banana
orange 1F34A t g n : tangerine, mandarin
strawberry 1F353 t g n : strawberry
grapes 1F347 t g n : grapes, grape, vineyard
watermelon 1F349 t g n : watermelon
lemon 1F34B t g n : lemon
cherry 1F352 t g n : cherry, cherries
pineapple 1F34D t g n : pineapple
avocado 1F951 t g n : avocado
egg 1F373 t g n : egg, fried egg, omelette, frying pan
coffee 2615 t g n : coffee, cup of coffee, espresso, latte, cappuccino, mug, cup
tea 1F375 t g n : tea, teacup, matcha, cup of tea
wine 1F377 t g n : wine, glass of wine, wine glass
beer 1F37A t g n : beer, pint, ale
cocktail 1F378 t g n : cocktail, martini
pancakes 1F95E t g n : pancakes, pancake, waffle
steak 1F969 t g n : steak, meat
salad 1F957 t g n : salad
popcorn 1F37F t g n : popcorn
chocolate 1F36B t g n : chocolate, chocolate bar
cheese 1F9C0 t g n : cheese
pie 1F967 t g n : pie, tart
pasta 1F35D t g n : pasta, spaghetti
curry 1F35B t g n : curry, rice
dumpling 1F95F t g n : dumpling, dumplings, gyoza
carrot 1F955 t g n : carrot
tomato 1F345 t g n : tomato
corn 1F33D t g n : corn, maize
pumpkin 1F383 t g n : pumpkin, jack-o-lantern
umbrella 2602 s g n : umbrella, parasol
bubbles 1FAE7 t a n : bubble, soap bubble
book 1F4D6 t g n : book, novel, notebook, diary
guitar 1F3B8 t g n : guitar, electric guitar, ukulele
piano 1F3B9 l g n : piano, keyboard, grand piano
violin 1F3BB t g n : violin, cello, fiddle
drum 1F941 t g n : drum, drums, drum kit
trumpet 1F3BA t g n : trumpet
saxophone 1F3B7 t g n : saxophone, sax
microphone 1F3A4 t g n : microphone, mic
phone 1F4F1 t g n : phone, smartphone, cellphone, mobile phone
laptop 1F4BB t g n : laptop, computer
television 1F4FA s g n : television, tv
lantern 1F3EE t a n : lantern, paper lantern
candle 1F56F t g n : candle, candlelight
clock 1F570 t g n : clock, pocket watch
gift 1F381 t g n : gift
ball 26BD t g n : ball, football, soccer ball
basketball 1F3C0 t g n : basketball
chair 1FA91 s g n : chair, armchair, stool
bed 1F6CF l g n : bed
door 1F6AA m g n : door, doorway
window 1FA9F m g n : window, windowpane, window pane
letter 2709 t g n : letter, envelope
map 1F5FA t g n : map
compass 1F9ED t g n : compass
sword 1F5E1 t g n : sword, dagger
crown 1F451 t g n : crown, tiara
backpack 1F392 t g n : backpack, rucksack
suitcase 1F9F3 t g n : suitcase, luggage
teddy 1F9F8 t g n : teddy bear, teddy, stuffed animal
trophy 1F3C6 t g n : trophy, cup trophy
anchor 2693 s g n : anchor
fire 1F525 s g n : fire, flames, flame, campfire, bonfire, fireplace
drop 1F4A7 t a n : raindrop, droplet, water drop, teardrop, dewdrop
snowman 26C4 m g n : snowman
snowflake 2744 t a n : snowflake
rainbow 1F308 h a n : rainbow
star 2B50 t a n : star, stars, shooting star
moon 1F319 s a n : moon, crescent moon
full-moon 1F315 s a n : full moon
sun 2600 s a n : sun
cloud 2601 l a n : cloud
wave 1F30A l w n : big wave, ocean wave, tsunami
tornado 1F32A h g n : tornado, twister
fireworks 1F386 l a n : fireworks, firework
"""

#: Plurals that do not end in -s or -es.
_IRREGULAR = {
    "people": "person",
    "children": "child",
    "men": "man",
    "women": "woman",
    "mice": "mouse",
    "geese": "goose",
    "feet": "foot",
    "sheep": "sheep",
    "fish": "fish",
    "deer": "deer",
    "leaves": "leaf",
    "wolves": "wolf",
    "knives": "knife",
    "loaves": "loaf",
    "elves": "elf",
    "passersby": "passerby",
}
#: Words that name a group: one drawing shown several times.
GROUPS = {"crowd": 7, "people": 4, "family": 4, "couple": 2, "children": 3, "kids": 3}


@dataclass(frozen=True)
class Entry:
    """One drawable thing: its key, its picture (an emoji, or a drawing's name), its size beside
    a person, where it goes (ground, air, water, free) and which way its picture faces."""

    key: str
    picture: str
    size: float
    place: str
    faces: str


def _picture(code: str) -> str:
    """An emoji's text from its hex code point; a name (a drawing of our own) stays as it is."""
    return chr(int(code, 16)) if re.fullmatch(r"[0-9A-F]{4,5}", code) else code


@cache
def phrases() -> dict[tuple[str, ...], Entry]:
    """Every phrase (as a tuple of words) that names a drawing, and the drawing it names."""
    found: dict[tuple[str, ...], Entry] = {}
    for block in re.split(r"\n(?=\S)", _TABLE.strip()):
        head, words = block.split(":", 1)
        key, code, size, place, faces = head.split()
        entry = Entry(key, _picture(code), SIZES[size], place, faces)
        for phrase in words.replace("\n", " ").split(","):
            found.setdefault(tuple(phrase.split()), entry)
    return found


def singular(word: str) -> str:
    """The singular a plural names ("puppies" -> "puppy", "boxes" -> "box"), else the word."""
    if word in _IRREGULAR:
        return _IRREGULAR[word]
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith(("ches", "shes", "sses", "xes", "oes")):
        return word[:-2]
    if len(word) > 2 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word
